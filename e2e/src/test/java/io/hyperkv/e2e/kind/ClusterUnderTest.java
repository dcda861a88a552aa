package io.hyperkv.e2e.kind;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

/**
 * The HyperKVCluster the kind suite runs against, seen only through the Kubernetes API as a user would: its
 * spec is patched, its status read, and its dependents found through their owner references (so the suite
 * does not depend on the operator's naming of Services, Secrets or the StatefulSet).
 *
 * <p>Invariant: every wait is bounded by {@link SuiteSettings#settle()}.
 */
final class ClusterUnderTest {

    static final ResourceDefinitionContext HYPERKV_CLUSTER = new ResourceDefinitionContext.Builder()
            .withGroup("hyperkv.io")
            .withVersion("v1alpha1")
            .withKind("HyperKVCluster")
            .withPlural("hyperkvclusters")
            .withNamespaced(true)
            .build();

    private final KubernetesClient client;
    private final SuiteSettings settings;

    ClusterUnderTest(KubernetesClient client, SuiteSettings settings) {
        this.client = client;
        this.settings = settings;
    }

    GenericKubernetesResource resource() {
        GenericKubernetesResource hkv = client.genericKubernetesResources(HYPERKV_CLUSTER)
                .inNamespace(settings.namespace()).withName(settings.cluster()).get();
        if (hkv == null) {
            throw new IllegalStateException("no HyperKVCluster " + settings.namespace() + "/" + settings.cluster()
                    + " in the current kube context; e2e/run.sh applies it before the suite");
        }
        return hkv;
    }

    int specReplicas() {
        return ((Number) spec(resource()).get("replicas")).intValue();
    }

    String specImage() {
        return (String) spec(resource()).get("image");
    }

    void scaleTo(int replicas) {
        mergePatch(Map.of("spec", Map.of("replicas", replicas)));
    }

    void changeImage(String image) {
        mergePatch(Map.of("spec", Map.of("image", image)));
    }

    /**
     * Ready as the operator reports it (condition Ready=True for the current generation, readyReplicas equal to
     * spec) and as Kubernetes sees it (that many pods, all ready, all on the expected image).
     */
    void awaitReady(int replicas, String image) {
        await("HyperKVCluster " + settings.cluster() + " Ready with " + replicas + " replicas on " + image)
                .atMost(settings.settle())
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(Math.min(3000, settings.settle().toMillis() / 4)))
                .until(() -> isReady(replicas, image));
    }

    private boolean isReady(int replicas, String image) {
        GenericKubernetesResource hkv = resource();
        Map<String, Object> status = map(hkv.getAdditionalProperties().get("status"));
        Object observed = status.get("observedGeneration");
        if (observed instanceof Number n && n.longValue() < hkv.getMetadata().getGeneration()) {
            return false;
        }
        Object ready = status.get("readyReplicas");
        if (!(ready instanceof Number n) || n.intValue() != replicas) {
            return false;
        }
        boolean readyCondition = list(status.get("conditions")).stream()
                .map(ClusterUnderTest::map)
                .anyMatch(c -> "Ready".equals(c.get("type")) && "True".equals(c.get("status")));
        if (!readyCondition) {
            return false;
        }
        List<Pod> pods = pods();
        return pods.size() == replicas && pods.stream().allMatch(pod -> isReadyOn(pod, image));
    }

    private static boolean isReadyOn(Pod pod, String image) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null) {
            return false;
        }
        boolean ready = pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        boolean onImage = image == null || pod.getSpec().getContainers().stream().anyMatch(c -> image.equals(c.getImage()));
        return ready && onImage;
    }

    StatefulSet statefulSet() {
        return owned(client.apps().statefulSets().inNamespace(settings.namespace()).list().getItems()).stream()
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no StatefulSet owned by " + settings.cluster()));
    }

    /** The data-plane pods, ordered by name (ordinal). */
    List<Pod> pods() {
        Map<String, String> selector = statefulSet().getSpec().getSelector().getMatchLabels();
        return client.pods().inNamespace(settings.namespace()).withLabels(selector).list().getItems().stream()
                .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
                .toList();
    }

    /** The client Service: the one owned by the cluster that has a cluster IP and serves port 6379. */
    String clientServiceHost() {
        Service service = owned(client.services().inNamespace(settings.namespace()).list().getItems()).stream()
                .filter(s -> !"None".equals(s.getSpec().getClusterIP()))
                .filter(s -> s.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == 6379))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no client Service (port 6379) owned by " + settings.cluster()));
        return service.getMetadata().getName() + "." + settings.namespace() + ".svc";
    }

    /**
     * Name and key of the Secret holding the client password: the one spec.auth.passwordSecret names, else the
     * one the operator generated (owned by the cluster, key {@code password}).
     */
    SecretKey passwordSecret() {
        Map<String, Object> named = map(map(spec(resource()).get("auth")).get("passwordSecret"));
        if (named.get("name") instanceof String name) {
            Object key = named.get("key");
            return new SecretKey(name, key instanceof String k ? k : "password");
        }
        for (Secret secret : owned(client.secrets().inNamespace(settings.namespace()).list().getItems())) {
            if (secret.getData() != null && secret.getData().containsKey("password")) {
                return new SecretKey(secret.getMetadata().getName(), "password");
            }
        }
        throw new IllegalStateException("no Secret with a 'password' key owned by " + settings.cluster());
    }

    void deletePod(String name, long gracePeriodSeconds) {
        client.pods().inNamespace(settings.namespace()).withName(name).withGracePeriod(gracePeriodSeconds).delete();
    }

    private <T extends HasMetadata> List<T> owned(List<T> items) {
        String uid = resource().getMetadata().getUid();
        return items.stream()
                .filter(o -> o.getMetadata().getOwnerReferences().stream().anyMatch(r -> uid.equals(r.getUid())))
                .toList();
    }

    private void mergePatch(Map<String, Object> patch) {
        client.genericKubernetesResources(HYPERKV_CLUSTER).inNamespace(settings.namespace()).withName(settings.cluster())
                .patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(patch));
    }

    private static Map<String, Object> spec(GenericKubernetesResource hkv) {
        return map(hkv.getAdditionalProperties().get("spec"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static List<?> list(Object value) {
        return value instanceof List<?> l ? l : List.of();
    }

    /** A key of a Secret, for an environment variable's secretKeyRef. */
    record SecretKey(String name, String key) {
    }
}
