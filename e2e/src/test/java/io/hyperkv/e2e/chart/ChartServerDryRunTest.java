package io.hyperkv.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.hyperkv.e2e.KubeApiServerFixture;
import io.hyperkv.e2e.TestResources;

/**
 * Every object the chart renders is accepted by a real kube-apiserver: server-side apply in dry-run mode with
 * strict field validation (an unknown or misspelt field is an error, not a silent drop), in namespaces that
 * enforce the "restricted" Pod Security Standard (so the operator's pod and the test hook's pod are checked by
 * the API server's own PodSecurity admission). The chart's CRDs are installed for real first, as Helm does.
 */
class ChartServerDryRunTest {

    private static final String RELEASE = "hkv";
    private static final String NAMESPACE = "hyperkv-system";

    private static KubeApiServerFixture apiServer;
    private static KubernetesClient client;

    @BeforeAll
    static void startApiServerWithTheChartsCrds() {
        apiServer = KubeApiServerFixture.shared();
        client = apiServer.client();
        for (String namespace : List.of(NAMESPACE, "team-a", "team-b")) {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                    .endMetadata().build()).serverSideApply();
        }
        // As Helm does on install: every file of the chart's crds/ as it is, before any template.
        List<CustomResourceDefinition> crds = HelmChart.checkedIn().crds();
        assertThat(crds).as("the chart's CRDs").isNotEmpty();
        apiServer.installCrds(crds);
    }

    @Test
    void everyObjectRenderedFromDefaultValuesIsAcceptedByTheApiServer(@TempDir Path scratch) {
        RenderedChart rendered = HelmChart.checkedIn().renderWithTestHooks(RELEASE, NAMESPACE, scratch);

        assertAllAccepted(rendered);
        assertThat(rendered.all(Pod.class)).as("the helm test pod was checked too").hasSize(1);
    }

    @Test
    void everyObjectRenderedForWatchedNamespacesIsAcceptedByTheApiServer(@TempDir Path scratch) {
        RenderedChart rendered = HelmChart.checkedIn().renderWithTestHooks(RELEASE, NAMESPACE, scratch,
                TestResources.path("chart/watch-two-namespaces.yaml"));

        assertAllAccepted(rendered);
    }

    @Test
    void exampleHyperKVClusterIsValidAgainstTheChartsCrd() throws IOException {
        GenericKubernetesResource example;
        try (var in = Files.newInputStream(HelmChart.checkedIn().directory().resolve("examples/hyperkvcluster.yaml"))) {
            example = client.getKubernetesSerialization().unmarshal(in, GenericKubernetesResource.class);
        }
        example.getMetadata().setNamespace("team-a");

        GenericKubernetesResource accepted = client.resource(example).dryRun().fieldValidation(Validation.STRICT).create();

        assertThat(accepted.getMetadata().getName()).isEqualTo(example.getMetadata().getName());
        // The CRD's schema validation is in force: the same object with an impossible replica count is refused.
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) example.getAdditionalProperties().get("spec");
        spec.put("replicas", 0);
        assertThatThrownBy(() -> client.resource(example).dryRun().fieldValidation(Validation.STRICT).create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("spec.replicas");
    }

    @Test
    void operatorPodPassesRestrictedPodSecurityAdmission() {
        Deployment deployment = HelmChart.checkedIn().render(RELEASE, NAMESPACE).one(Deployment.class);
        Pod pod = new PodBuilder()
                .withMetadata(deployment.getSpec().getTemplate().getMetadata())
                .editMetadata().withName("operator-pod-check").withNamespace(NAMESPACE).endMetadata()
                .withSpec(deployment.getSpec().getTemplate().getSpec())
                .build();

        assertThat(client.resource(pod).dryRun().fieldValidation(Validation.STRICT).create()).isNotNull();
    }

    @Test
    void theDryRunReallyValidates() {
        Deployment deployment = HelmChart.checkedIn().render(RELEASE, NAMESPACE).one(Deployment.class);

        // An unknown field is refused under strict validation...
        Deployment misspelt = HelmChart.checkedIn().render(RELEASE, NAMESPACE).one(Deployment.class);
        misspelt.getSpec().getTemplate().getSpec().getContainers().get(0).setAdditionalProperty("imagePullPolicyy", "Always");
        assertThatThrownBy(() -> client.resource(misspelt).dryRun().fieldValidation(Validation.STRICT).serverSideApply())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("imagePullPolicyy");

        // ...and a privileged pod is refused by the namespace's restricted Pod Security admission.
        Pod privileged = new PodBuilder()
                .withNewMetadata().withName("privileged-check").withNamespace(NAMESPACE).endMetadata()
                .withSpec(deployment.getSpec().getTemplate().getSpec())
                .editSpec().editFirstContainer().editSecurityContext()
                    .withPrivileged(true).withAllowPrivilegeEscalation(null)
                .endSecurityContext().endContainer().endSpec()
                .build();
        assertThatThrownBy(() -> client.resource(privileged).dryRun().create())
                .isInstanceOf(KubernetesClientException.class)
                .hasMessageContaining("violates PodSecurity \"restricted");
    }

    @Test
    void helmInstallsAndUninstallsTheChartOnARealApiServer() {
        String kubeconfig = apiServer.kubeConfigYaml();
        Release release = new Helm(HelmChart.checkedIn().directory()).install()
                .withName("installed")
                .withNamespace("helm-install-check")
                .createNamespace()
                .withKubeConfigContents(kubeconfig)
                .call();

        assertThat(release.getStatus()).isEqualTo("deployed");
        assertThat(client.apps().deployments().inNamespace("helm-install-check").withName("installed-hyperkv-operator").get())
                .isNotNull();

        Helm.uninstall("installed").withNamespace("helm-install-check").withKubeConfigContents(kubeconfig).call();
        assertThat(client.apps().deployments().inNamespace("helm-install-check").withName("installed-hyperkv-operator")
                .informOnCondition(List::isEmpty)).succeedsWithin(Duration.ofMinutes(1));
    }

    private static void assertAllAccepted(RenderedChart rendered) {
        List<HasMetadata> objects = rendered.objects().stream()
                .filter(o -> !(o instanceof CustomResourceDefinition))
                .toList();
        assertThat(objects).isNotEmpty();
        for (HasMetadata object : objects) {
            HasMetadata accepted = client.resource(object).dryRun().fieldValidation(Validation.STRICT).serverSideApply();
            assertThat(accepted.getMetadata().getName()).as("%s accepted", object.getKind())
                    .isEqualTo(object.getMetadata().getName());
        }
    }
}
