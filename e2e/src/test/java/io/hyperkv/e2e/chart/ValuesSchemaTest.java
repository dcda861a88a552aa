package io.hyperkv.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * values.schema.json as Helm applies it: each bad value is refused at render time with a message naming the
 * offending path, and the good variants next to them still render.
 */
class ValuesSchemaTest {

    @TempDir
    Path scratch;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            watchNamespaces as a string, not a list      | watchNamespaces: team-a                          | /watchNamespaces
            watchNamespaces with an invalid name         | watchNamespaces: [Team_A]                        | /watchNamespaces/0
            watchNamespaces with a duplicate             | watchNamespaces: [team-a, team-a]                | /watchNamespaces
            rbac.create as a string                      | 'rbac: {create: "yes"}'                          | /rbac/create
            a service account annotation that is a map   | 'serviceAccount: {create: true, annotations: {a: {b: c}}}' | /serviceAccount/annotations/a
            serviceAccount.name not a DNS name           | 'serviceAccount: {create: true, name: Op_SA}'    | /serviceAccount/name
            a misspelt top-level key                     | watchNamespace: [team-a]                         | watchNamespace
            an unknown pull policy                       | 'image: {repository: r, pullPolicy: Sometimes}'  | /image/pullPolicy
            an image tag with a space                    | 'image: {repository: r, tag: "1 2", pullPolicy: Always}' | /image/tag
            a memory limit that is not a quantity        | 'resources: {limits: {memory: lots}}'            | /resources/limits/memory
            a service port out of range                  | 'service: {type: ClusterIP, port: 70000}'        | /service/port
            a scrape interval without a unit             | 'serviceMonitor: {enabled: true, interval: "30"}' | /serviceMonitor/interval
            a log level in lower case                    | logLevel: debug                                  | /logLevel
            an extra env var without a name              | 'extraEnv: [{value: x}]'                         | /extraEnv/0
            a probe period of zero                       | 'probes: {startup: {periodSeconds: 0, failureThreshold: 1}, liveness: {periodSeconds: 1, failureThreshold: 1}, readiness: {periodSeconds: 1, failureThreshold: 1}}' | /probes/startup/periodSeconds
            """)
    void badValuesAreRefusedNamingTheOffendingPath(String description, String values, String offendingPath)
            throws IOException {
        Path valuesFile = write(values);

        assertThatThrownBy(() -> HelmChart.checkedIn().render("hkv", "hyperkv-system", valuesFile))
                .as(description)
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(offendingPath);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            two watched namespaces                       | watchNamespaces: [team-a, team-b]
            an existing service account                  | 'serviceAccount: {create: false, name: platform-operator}'
            RBAC managed elsewhere                       | 'rbac: {create: false}'
            a registry with a port                       | 'image: {repository: registry.local:5000/hkv/operator, tag: "1.0.0", pullPolicy: Always}'
            numeric CPU                                  | 'resources: {requests: {cpu: 0.5, memory: 128Mi}}'
            an extra env var from a Secret               | 'extraEnv: [{name: TOKEN, valueFrom: {secretKeyRef: {name: s, key: k}}}]'
            """)
    void goodVariantsStillRender(String description, String values) throws IOException {
        RenderedChart rendered = HelmChart.checkedIn().render("hkv", "hyperkv-system", write(values));

        assertThat(rendered.objects()).as(description).isNotEmpty();
    }

    private Path write(String values) throws IOException {
        return Files.writeString(Files.createTempFile(scratch, "values", ".yaml"), values + "\n");
    }
}
