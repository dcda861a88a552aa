package io.hyperkv.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.hyperkv.e2e.RepoLayout;
import io.hyperkv.e2e.TestResources;

class ChartRenderingTest {

    private static final String RELEASE = "hkv";
    private static final String NAMESPACE = "hyperkv-system";
    private static final Pattern CONTROLLER_NAMESPACES =
            Pattern.compile("quarkus\\.operator-sdk\\.controllers\\.\"?([a-z0-9-]+)\"?\\.namespaces");

    private final HelmChart chart = HelmChart.checkedIn();

    @Test
    void defaultValuesMakeTheOperatorWatchEveryNamespace() {
        Container operator = operatorContainer(chart.render(RELEASE, NAMESPACE));

        assertThat(env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("JOSDK_ALL_NAMESPACES");
    }

    @Test
    void watchNamespacesBecomeTheOperatorsCommaSeparatedNamespaceList() {
        Container operator = operatorContainer(chart.render(RELEASE, NAMESPACE, namespacedValues()));

        assertThat(env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("team-a,team-b");
        assertThat(env(operator, "QUARKUS_LOG_LEVEL")).isEqualTo("DEBUG");
        assertThat(env(operator, "QUARKUS_OPERATOR_SDK_CONCURRENT_RECONCILIATION_THREADS")).isEqualTo("4");
    }

    @Test
    void everyControllerTheOperatorConfiguresGetsTheWatchedNamespaces() throws IOException {
        // application.properties names each controller's namespaces, and that per-controller setting wins over
        // the operator-wide one: the chart must override every controller the operator configures.
        Properties operatorConfig = new Properties();
        try (var in = Files.newInputStream(RepoLayout.root().resolve("operator/src/main/resources/application.properties"))) {
            operatorConfig.load(in);
        }
        List<String> controllers = operatorConfig.stringPropertyNames().stream()
                .map(CONTROLLER_NAMESPACES::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .toList();
        Container operator = operatorContainer(chart.render(RELEASE, NAMESPACE, namespacedValues()));
        // Controllers without their own setting follow the operator-wide one.
        assertThat(env(operator, "QUARKUS_OPERATOR_SDK_NAMESPACES")).isEqualTo("team-a,team-b");
        for (String controller : controllers) {
            assertThat(env(operator, "QUARKUS_OPERATOR_SDK_CONTROLLERS_" + controller.toUpperCase(Locale.ROOT) + "_NAMESPACES"))
                    .as(controller).isEqualTo("team-a,team-b");
        }
    }

    @Test
    void dataPlaneImageDefaultsToTheChartsAppVersion() throws IOException {
        Container operator = operatorContainer(chart.render(RELEASE, NAMESPACE));

        assertThat(env(operator, "HYPERKV_OPERATOR_IMAGE_REPOSITORY")).isEqualTo("ghcr.io/hyperkv/hyperkv");
        assertThat(env(operator, "HYPERKV_OPERATOR_DEFAULT_VERSION")).isEqualTo(appVersion());
    }

    @Test
    void operatorPodMeetsTheRestrictedPodSecurityStandard() {
        Deployment deployment = chart.render(RELEASE, NAMESPACE).one(Deployment.class);
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container operator = pod.getContainers().get(0);

        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(operator.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(operator.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(operator.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(operator.getSecurityContext().getPrivileged()).isNotEqualTo(Boolean.TRUE);
        // A read-only root filesystem still needs somewhere for the JVM's temporary files.
        assertThat(operator.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    }

    @Test
    void probesAskTheQuarkusHealthEndpointsOnPort8080() {
        Container operator = operatorContainer(chart.render(RELEASE, NAMESPACE));

        assertThat(operator.getPorts()).singleElement().satisfies(port -> {
            assertThat(port.getName()).isEqualTo("http");
            assertThat(port.getContainerPort()).isEqualTo(8080);
        });
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/started");
        assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
        assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(operator.getResources().getLimits()).containsKey("memory");
    }

    @Test
    void imageTagDefaultsToTheChartsAppVersionAndCanBePinned() throws IOException {
        assertThat(operatorContainer(chart.render(RELEASE, NAMESPACE)).getImage()).endsWith(":" + appVersion());
        assertThat(operatorContainer(chart.render(RELEASE, NAMESPACE, namespacedValues())).getImage())
                .isEqualTo("ghcr.io/hyperkv/hyperkv-operator:0.1.0-rc1");
    }

    @Test
    void operatorRunsAsTheServiceAccountTheChartCreates() {
        RenderedChart rendered = chart.render(RELEASE, NAMESPACE, namespacedValues());

        ServiceAccount account = rendered.one(ServiceAccount.class);
        assertThat(account.getMetadata().getName()).isEqualTo("hyperkv-operator-sa");
        assertThat(rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("hyperkv-operator-sa");
    }

    @Test
    void everyNamespacedObjectLandsInTheReleaseNamespaceWithTheReleaseLabels() {
        RenderedChart rendered = chart.render(RELEASE, NAMESPACE);

        assertThat(rendered.objects()).isNotEmpty();
        for (HasMetadata object : rendered.objects()) {
            Map<String, String> labels = object.getMetadata().getLabels();
            assertThat(labels).as(object.getKind())
                    .containsEntry("app.kubernetes.io/instance", RELEASE)
                    .containsEntry("app.kubernetes.io/name", "hyperkv-operator")
                    .containsEntry("app.kubernetes.io/managed-by", "Helm");
            if (!object.getKind().startsWith("Cluster")) {
                assertThat(object.getMetadata().getNamespace()).as(object.getKind()).isIn(NAMESPACE, "team-a", "team-b");
            }
        }
    }

    @Test
    void withoutWatchNamespacesTheServiceAccountIsBoundClusterWide() {
        RenderedChart rendered = chart.render(RELEASE, NAMESPACE);
        String account = rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName();

        assertThat(rendered.all(ClusterRoleBinding.class))
                .anySatisfy(binding -> assertThat(binding.getSubjects()).anySatisfy(subject -> {
                    assertThat(subject.getName()).isEqualTo(account);
                    assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
                }));
        assertThat(rendered.all(Role.class)).allSatisfy(role ->
                assertThat(role.getMetadata().getNamespace()).isEqualTo(NAMESPACE));
    }

    @Test
    void watchNamespacesGetARoleBoundToTheServiceAccountInEachOfThem() {
        RenderedChart rendered = chart.render(RELEASE, NAMESPACE, namespacedValues());

        for (String watched : List.of("team-a", "team-b")) {
            assertThat(rendered.all(RoleBinding.class))
                    .as("RoleBinding in %s", watched)
                    .anySatisfy(binding -> {
                        assertThat(binding.getMetadata().getNamespace()).isEqualTo(watched);
                        assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
                            assertThat(subject.getName()).isEqualTo("hyperkv-operator-sa");
                            assertThat(subject.getNamespace()).isEqualTo(NAMESPACE);
                        });
                    });
            assertThat(rendered.all(Role.class))
                    .anySatisfy(role -> {
                        assertThat(role.getMetadata().getNamespace()).isEqualTo(watched);
                        assertThat(role.getRules()).anySatisfy(rule ->
                                assertThat(rule.getResources()).contains("hyperkvclusters"));
                    });
        }
        // No cluster-wide grant on the custom resources when the operator is confined to namespaces.
        assertThat(rendered.all(ClusterRole.class)).allSatisfy(role ->
                assertThat(role.getRules()).noneSatisfy(rule ->
                        assertThat(rule.getResources()).contains("hyperkvclusters")));
    }

    @Test
    void rbacCreateFalseRendersNoRbacAndServiceAccountCreateFalseNoAccount(@TempDir Path scratch) throws IOException {
        Path values = Files.writeString(scratch.resolve("values.yaml"),
                "rbac: {create: false}\nserviceAccount: {create: false, name: platform-operator}\n");

        RenderedChart rendered = chart.render(RELEASE, NAMESPACE, values);

        assertThat(rendered.all(ClusterRole.class)).isEmpty();
        assertThat(rendered.all(ClusterRoleBinding.class)).isEmpty();
        assertThat(rendered.all(Role.class)).isEmpty();
        assertThat(rendered.all(RoleBinding.class)).isEmpty();
        assertThat(rendered.all(ServiceAccount.class)).isEmpty();
        assertThat(rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("platform-operator");
    }

    @Test
    void serviceMonitorIsRenderedOnlyWhenEnabledAndScrapesTheServicesHttpPort(@TempDir Path scratch) throws IOException {
        assertThat(chart.render(RELEASE, NAMESPACE).objects())
                .noneMatch(o -> o.getKind().equals("ServiceMonitor"));

        Path values = Files.writeString(scratch.resolve("values.yaml"),
                "serviceMonitor: {enabled: true, interval: 15s, labels: {release: prometheus}}\n");
        RenderedChart rendered = chart.render(RELEASE, NAMESPACE, values);
        HasMetadata monitor = rendered.objects().stream()
                .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();

        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        assertThat(rendered.manifest()).contains("port: http").contains("path: /q/metrics").contains("interval: 15s");
        assertThat(rendered.one(Service.class).getSpec().getPorts()).anySatisfy(p -> assertThat(p.getName()).isEqualTo("http"));
    }

    @Test
    void serviceSelectsExactlyTheOperatorPods() {
        RenderedChart rendered = chart.render(RELEASE, NAMESPACE);
        Service service = rendered.one(Service.class);
        Deployment deployment = rendered.one(Deployment.class);

        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(deployment.getSpec().getSelector().getMatchLabels()).isEqualTo(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement()
                .satisfies(port -> assertThat(port.getTargetPort().getStrVal()).isEqualTo("http"));
    }

    @Test
    void helmTestHookAsksTheOperatorsReadinessThroughItsService(@TempDir Path scratch) throws IOException {
        RenderedChart rendered = chart.renderWithTestHooks(RELEASE, NAMESPACE, scratch);
        Service service = rendered.one(Service.class);

        Pod test = rendered.one(Pod.class);
        String script = String.join("\n", test.getSpec().getContainers().get(0).getCommand());
        assertThat(script).contains("http://" + service.getMetadata().getName() + "." + NAMESPACE + ".svc:8080/q/health/ready");
        assertThat(test.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(test.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        // The checked-in template really is a test hook (the copy rendered above had the annotation removed).
        assertThat(Files.readString(chart.directory().resolve("templates/tests/operator-answers.yaml")))
                .contains("helm.sh/hook: test");
    }

    private String appVersion() throws IOException {
        return Files.readAllLines(chart.directory().resolve("Chart.yaml")).stream()
                .filter(line -> line.startsWith("appVersion:"))
                .map(line -> line.substring("appVersion:".length()).trim().replace("\"", ""))
                .findFirst().orElseThrow();
    }

    private static Path namespacedValues() {
        return TestResources.path("chart/watch-two-namespaces.yaml");
    }

    private static Container operatorContainer(RenderedChart rendered) {
        return rendered.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().stream()
                .filter(c -> c.getName().equals("operator"))
                .findFirst().orElseThrow();
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .map(EnvVar::getValue)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " in " + container.getEnv()));
    }
}
