package io.hyperkv.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.hyperkv.e2e.KubeApiServerFixture;
import io.hyperkv.e2e.chart.HelmChart;

/**
 * The kind suite's Kubernetes side, exercised against a real kube-apiserver (no kubelet, so no pod runs): the
 * way it finds a cluster's Service and password, the patches it sends (accepted by the CRD's schema), the Job
 * it runs clients in (accepted under the "restricted" Pod Security Standard), and its readiness check, which
 * must neither pass while the operator has not reported Ready nor while a pod runs another image.
 */
class KindSuiteAgainstApiServerTest {

    private static final String NAMESPACE = "kind-suite-check";
    private static final String CLUSTER = "demo";
    private static final String IMAGE = "ghcr.io/hyperkv/hyperkv:e2e";

    private static KubernetesClient client;
    private static SuiteSettings settings;
    private static ClusterUnderTest cluster;
    private static OwnerReference ownedByCluster;

    @BeforeAll
    static void applyAClusterAndWhatAnOperatorWouldHaveMadeForIt() throws IOException {
        KubeApiServerFixture apiServer = KubeApiServerFixture.shared();
        client = apiServer.client();
        apiServer.installCrds(HelmChart.checkedIn().crds());
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted").endMetadata().build()).serverSideApply();

        GenericKubernetesResource example;
        try (var in = Files.newInputStream(HelmChart.checkedIn().directory().resolve("examples/hyperkvcluster.yaml"))) {
            example = client.getKubernetesSerialization().unmarshal(in, GenericKubernetesResource.class);
        }
        example.getMetadata().setNamespace(NAMESPACE);
        GenericKubernetesResource created = client.resource(example).create();
        ownedByCluster = new OwnerReferenceBuilder().withApiVersion("hyperkv.io/v1alpha1").withKind("HyperKVCluster")
                .withName(CLUSTER).withUid(created.getMetadata().getUid()).withController(true).build();

        settings = new SuiteSettings(NAMESPACE, CLUSTER, "redis:7.4-alpine", "", Duration.ofSeconds(3));
        cluster = new ClusterUnderTest(client, settings);

        create(new SecretBuilder().withNewMetadata().withName("unrelated").endMetadata()
                .addToStringData("password", "not this one").build());
        create(new SecretBuilder().withNewMetadata().withName(CLUSTER + "-credentials").withOwnerReferences(ownedByCluster)
                .endMetadata().addToStringData("password", "generated").addToStringData("admin-token", "t").build());
        create(new ServiceBuilder().withNewMetadata().withName(CLUSTER + "-nodes").withOwnerReferences(ownedByCluster)
                .endMetadata().withNewSpec().withClusterIP("None").addToSelector("app", CLUSTER)
                .addNewPort().withName("redis").withPort(6379).endPort().endSpec().build());
        create(new ServiceBuilder().withNewMetadata().withName(CLUSTER).withOwnerReferences(ownedByCluster)
                .endMetadata().withNewSpec().addToSelector("app", CLUSTER)
                .addNewPort().withName("redis").withPort(6379).endPort().endSpec().build());
        create(new StatefulSetBuilder().withNewMetadata().withName(CLUSTER).withOwnerReferences(ownedByCluster).endMetadata()
                .withNewSpec().withServiceName(CLUSTER + "-nodes").withReplicas(3)
                .withNewSelector().addToMatchLabels("app", CLUSTER).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", CLUSTER).endMetadata()
                .withNewSpec().addNewContainer().withName("hyperkv").withImage(IMAGE).endContainer().endSpec()
                .endTemplate().endSpec().build());
    }

    @Test
    void findsTheClientServiceAndGeneratedPasswordThroughOwnerReferences() {
        assertThat(cluster.clientServiceHost()).isEqualTo(CLUSTER + "." + NAMESPACE + ".svc");
        assertThat(cluster.passwordSecret()).isEqualTo(new ClusterUnderTest.SecretKey(CLUSTER + "-credentials", "password"));
    }

    @Test
    void scaleAndImagePatchesAreAcceptedByTheCrdSchema() {
        cluster.scaleTo(5);
        assertThat(cluster.specReplicas()).isEqualTo(5);

        cluster.changeImage("ghcr.io/hyperkv/hyperkv:e2e-upgrade");
        assertThat(cluster.specImage()).isEqualTo("ghcr.io/hyperkv/hyperkv:e2e-upgrade");

        cluster.scaleTo(3);
        assertThat(cluster.specReplicas()).isEqualTo(3);
    }

    @Test
    void clientJobIsAcceptedAndItsPodPassesRestrictedPodSecurity() {
        Job job = ClientJob.job(settings, "hkv-client-check", "redis-cli -h \"$HOST\" PING", Map.of("HOST", "demo"),
                cluster.passwordSecret());

        Job accepted = client.resource(job).fieldValidation(Validation.STRICT).create();
        Pod pod = new PodBuilder().withNewMetadata().withName("hkv-client-check-pod").withNamespace(NAMESPACE).endMetadata()
                .withSpec(accepted.getSpec().getTemplate().getSpec()).build();

        assertThat(client.resource(pod).dryRun().fieldValidation(Validation.STRICT).create()).isNotNull();
        assertThat(accepted.getSpec().getBackoffLimit()).isZero();
    }

    @Test
    void readinessNeedsTheOperatorsReadyConditionReadyPodsAndTheExpectedImage() {
        cluster.scaleTo(3);
        for (int i = 0; i < 3; i++) {
            Pod pod = create(new PodBuilder().withNewMetadata().withName(CLUSTER + "-" + i).addToLabels("app", CLUSTER)
                    .endMetadata().withNewSpec().withAutomountServiceAccountToken(false)
                    .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(1001L)
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                    .addNewContainer().withName("hyperkv").withImage(IMAGE)
                    .withNewSecurityContext().withAllowPrivilegeEscalation(false)
                    .withNewCapabilities().addToDrop("ALL").endCapabilities().endSecurityContext()
                    .endContainer().endSpec().build());
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running")
                    .addToConditions(new PodConditionBuilder().withType("Ready").withStatus("True").build()).build());
            client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
        }

        // Pods are ready but the operator has reported nothing: not Ready.
        assertThatThrownBy(() -> cluster.awaitReady(3, IMAGE)).isInstanceOf(ConditionTimeoutException.class);

        long generation = cluster.resource().getMetadata().getGeneration();
        client.genericKubernetesResources(ClusterUnderTest.HYPERKV_CLUSTER).inNamespace(NAMESPACE).withName(CLUSTER)
                .subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(Map.of("status", Map.of(
                        "observedGeneration", generation,
                        "readyReplicas", 3,
                        "conditions", List.of(Map.of("type", "Ready", "status", "True", "reason", "AllMembersReady",
                                "message", "", "lastTransitionTime", "2026-01-01T00:00:00Z"))))));

        cluster.awaitReady(3, IMAGE);
        // Ready, but not on the image an upgrade is waiting for, and not at another replica count.
        assertThatThrownBy(() -> cluster.awaitReady(3, "ghcr.io/hyperkv/hyperkv:e2e-upgrade"))
                .isInstanceOf(ConditionTimeoutException.class);
        assertThatThrownBy(() -> cluster.awaitReady(5, IMAGE)).isInstanceOf(ConditionTimeoutException.class);
    }

    private static <T extends HasMetadata> T create(T object) {
        object.getMetadata().setNamespace(NAMESPACE);
        return client.resource(object).create();
    }
}
