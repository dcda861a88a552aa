package io.hyperkv.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.hyperkv.operator.api.HyperKVCluster;
import io.hyperkv.operator.api.HyperKVClusterStatus.Phase;
import io.hyperkv.operator.api.Member;
import io.hyperkv.operator.cluster.ClusterStatusAssembler;
import io.hyperkv.operator.membership.Topology;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import io.quarkus.test.junit.QuarkusTest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator (the Quarkus application, running as the chart's service account) against a real kube-apiserver and
 * etcd. No kube-controller-manager or kubelet runs: the tests write pod and StatefulSet status themselves
 * ({@link KubeletSimulator}), and nothing garbage-collects owned objects, so deletion is checked through owner
 * references. Each test uses its own namespace.
 */
@QuarkusTest
@QuarkusTestResource(value = KubeApiServerResource.class, restrictToAnnotatedClass = true)
class HyperKVClusterOperatorTest {

  static final Duration WAIT = Duration.ofSeconds(60);
  static final AtomicInteger NAMESPACES = new AtomicInteger();

  final KubernetesClient admin = KubeApiServerResource.admin();

  @AfterAll
  static void stopFakes() {
    FakeDataPlanes.stopAll();
  }

  String namespace() {
    String ns = "t" + NAMESPACES.incrementAndGet();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
    return ns;
  }

  HyperKVCluster create(String ns, String yamlSpec) {
    String yaml = """
        apiVersion: hyperkv.io/v1alpha1
        kind: HyperKVCluster
        metadata:
          name: cache
          namespace: %s
        spec:
        %s
        """.formatted(ns, yamlSpec.indent(2));
    return admin.resources(HyperKVCluster.class).load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .create();
  }

  /** A user's change: JSON merge patch of the spec, no resourceVersion (the operator writes status concurrently). */
  void patchSpec(String ns, String specJson) {
    admin.resources(HyperKVCluster.class).inNamespace(ns).withName("cache")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": " + specJson + "}");
  }

  HyperKVCluster get(String ns) {
    return admin.resources(HyperKVCluster.class).inNamespace(ns).withName("cache").get();
  }

  <T extends HasMetadata> T awaitObject(Class<T> type, String ns, String name) {
    return await().atMost(WAIT).until(() -> admin.resources(type).inNamespace(ns).withName(name).get(), o -> o != null);
  }

  static void assertOwnedBy(HasMetadata object, HyperKVCluster cluster) {
    assertThat(object.getMetadata().getOwnerReferences()).as(object.getKind() + " " + object.getMetadata().getName())
        .singleElement().satisfies(ref -> {
          assertThat(ref.getKind()).isEqualTo("HyperKVCluster");
          assertThat(ref.getApiVersion()).isEqualTo("hyperkv.io/v1alpha1");
          assertThat(ref.getUid()).isEqualTo(cluster.getMetadata().getUid());
          assertThat(ref.getController()).as("controller").isTrue();
          assertThat(ref.getBlockOwnerDeletion()).as("blockOwnerDeletion").isTrue();
        });
  }

  @Test
  void theOperatorRunsWithTheChartsPermissionsOnly() {
    try (var operator = KubeApiServerResource.asOperator()) {
      assertThat(allowed(operator, "apps", "statefulsets", "patch", "t-any")).isTrue();
      assertThat(allowed(operator, "hyperkv.io", "hyperkvclusters/status", "patch", "t-any")).isTrue();
      assertThat(allowed(operator, "", "nodes", "list", null)).isFalse();
      assertThat(allowed(operator, "hyperkv.io", "hyperkvclusters", "delete", "t-any")).isFalse();
    }
  }

  static boolean allowed(KubernetesClient client, String group, String resource, String verb, String namespace) {
    String[] parts = resource.split("/");
    var review = new SelfSubjectAccessReviewBuilder().withNewSpec().withNewResourceAttributes()
        .withGroup(group).withResource(parts[0]).withSubresource(parts.length > 1 ? parts[1] : null)
        .withVerb(verb).withNamespace(namespace).endResourceAttributes().endSpec().build();
    return client.authorization().v1().selfSubjectAccessReview().create(review).getStatus().getAllowed();
  }

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @TestHTTPResource("/q/health/ready")
  URI ready;

  @Test
  void operatorMetricsAndHealthAreServed() throws Exception {
    String ns = namespace();
    create(ns, "replicas: 1\nreplicationFactor: 1\n");
    awaitObject(StatefulSet.class, ns, "cache");
    var http = HttpClient.newHttpClient();
    // JOSDK's Micrometer metrics, on the Prometheus endpoint.
    String body = http.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(body).contains("operator_sdk_reconciliations");
    var health = http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\": \"UP\"");
  }

  @Test
  void createMakesEveryObjectOwnedByTheCluster() {
    String ns = namespace();
    HyperKVCluster cluster = create(ns, "replicas: 3\n");
    List<HasMetadata> objects = List.of(
        awaitObject(ConfigMap.class, ns, "cache-config"),
        awaitObject(Secret.class, ns, "cache-credentials"),
        awaitObject(Service.class, ns, "cache-nodes"),
        awaitObject(Service.class, ns, "cache"),
        awaitObject(StatefulSet.class, ns, "cache"),
        awaitObject(PodDisruptionBudget.class, ns, "cache"));
    objects.forEach(o -> assertOwnedBy(o, cluster));

    var status = await().atMost(WAIT).until(() -> get(ns).getStatus(), s -> s != null && s.phase != null);
    assertThat(status.phase).isEqualTo(Phase.Pending);
    assertThat(status.observedGeneration).isEqualTo(1L);
    assertThat(status.conditions).extracting(c -> c.getType()).containsExactly("Ready", "Progressing", "Degraded");
    // Defaults come from the schema.
    assertThat(get(ns).getSpec().replicationFactor).isEqualTo(3);
  }

  @Test
  void aSpecChangeUpdatesTheStatefulSetAndConfiguration() {
    String ns = namespace();
    create(ns, "replicas: 3\n");
    String hash = awaitObject(StatefulSet.class, ns, "cache").getSpec().getTemplate().getMetadata().getAnnotations()
        .get("hyperkv.io/config-hash");

    patchSpec(ns, "{\"replicas\": 5, \"persistence\": {\"fsync\": \"always\"}}");

    var sts = await().atMost(WAIT).until(() -> admin.apps().statefulSets().inNamespace(ns).withName("cache").get(),
        s -> s.getSpec().getReplicas() == 5);
    assertThat(sts.getSpec().getTemplate().getMetadata().getAnnotations().get("hyperkv.io/config-hash")).isNotEqualTo(hash);
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(admin.configMaps().inNamespace(ns).withName("cache-config").get().getData())
        .containsEntry("HYPERKV_APPENDFSYNC", "always")
        .hasEntrySatisfying("HYPERKV_CLUSTER_PEERS", peers -> assertThat(peers.split(",")).hasSize(5));
    await().atMost(WAIT).until(() -> get(ns).getStatus().observedGeneration, g -> g == 2L);
  }

  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        Arguments.of("replicas: 0", "spec.replicas"),
        Arguments.of("replicas: 1000", "spec.replicas"),
        Arguments.of("replicas: 2\nreplicationFactor: 3", "replicationFactor cannot exceed replicas"),
        Arguments.of("replicationFactor: 9", "spec.replicationFactor"),
        Arguments.of("storage:\n  engine: leveldb", "spec.storage.engine"),
        Arguments.of("storage:\n  size: ten-gigs", "spec.storage.size"),
        Arguments.of("memory:\n  maxmemory: 2GB", "spec.memory.maxmemory"),
        Arguments.of("memory:\n  evictionPolicy: lru", "spec.memory.evictionPolicy"),
        Arguments.of("consistency:\n  write: most", "spec.consistency.write"),
        Arguments.of("persistence:\n  fsync: sometimes", "spec.persistence.fsync"),
        Arguments.of("tls:\n  enabled: true", "tls.secretName is required when tls.enabled is true"),
        Arguments.of("snapshots:\n  retention: 0", "spec.snapshots.retention"),
        Arguments.of("snapshots:\n  schedule: every day", "spec.snapshots.schedule"),
        Arguments.of("auth:\n  passwordSecret:\n    key: pw", "spec.auth.passwordSecret.name"),
        Arguments.of("paused: maybe", "spec.paused"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void theSchemaRejectsAnInvalidSpec(String spec, String complaint) {
    String ns = "default";
    String yaml = """
        apiVersion: hyperkv.io/v1alpha1
        kind: HyperKVCluster
        metadata:
          name: invalid
          namespace: %s
        spec:
        %s
        """.formatted(ns, spec.indent(2));
    var resource = admin.resource(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    assertThatThrownBy(resource::create)
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422))
        .hasMessageContaining(complaint);
  }

  @Test
  void immutableFieldsCannotChange() {
    String ns = namespace();
    create(ns, "replicas: 3\nstorage:\n  engine: rocksdb\n");
    assertThatThrownBy(() -> patchSpec(ns, "{\"storage\": {\"engine\": \"memory\"}}"))
        .isInstanceOf(KubernetesClientException.class).hasMessageContaining("storage.engine is immutable");
    assertThatThrownBy(() -> patchSpec(ns, "{\"replicationFactor\": 2}"))
        .isInstanceOf(KubernetesClientException.class).hasMessageContaining("replicationFactor is immutable");
  }

  @Test
  void theGeneratedSecretIsKeptAcrossReconciles() {
    String ns = namespace();
    create(ns, "replicas: 3\n");
    Map<String, String> data = awaitObject(Secret.class, ns, "cache-credentials").getData();
    assertThat(data).containsOnlyKeys("password", "admin-token", "cluster-secret");

    patchSpec(ns, "{\"replicas\": 4}");
    await().atMost(WAIT).until(() -> admin.apps().statefulSets().inNamespace(ns).withName("cache").get().getSpec()
        .getReplicas() == 4);
    patchSpec(ns, "{\"replicas\": 3}");
    await().atMost(WAIT).until(() -> get(ns).getStatus().observedGeneration == 3L);
    assertThat(admin.secrets().inNamespace(ns).withName("cache-credentials").get().getData()).isEqualTo(data);
  }

  @Test
  void deletingTheClusterLeavesNothingBlockingAndEveryObjectOwned() {
    String ns = namespace();
    HyperKVCluster cluster = create(ns, "replicas: 3\n");
    var sts = awaitObject(StatefulSet.class, ns, "cache");
    awaitObject(PodDisruptionBudget.class, ns, "cache");
    // The operator keeps no finalizer: deletion is immediate and cleanup is the garbage collector's, through the
    // controller owner references (kube-controller-manager does not run here, so the objects stay).
    assertThat(get(ns).getMetadata().getFinalizers()).isEmpty();
    admin.resources(HyperKVCluster.class).inNamespace(ns).withName("cache").delete();
    await().atMost(WAIT).until(() -> get(ns) == null);
    assertOwnedBy(sts, cluster);
    for (Class<? extends HasMetadata> type : List.of(ConfigMap.class, Secret.class, Service.class, PodDisruptionBudget.class)) {
      admin.resources(type).inNamespace(ns).withLabel("app.kubernetes.io/instance", "cache").list().getItems()
          .forEach(o -> {
            OwnerReference ref = o.getMetadata().getOwnerReferences().get(0);
            assertThat(ref.getUid()).isEqualTo(cluster.getMetadata().getUid());
          });
    }
  }

  @Test
  void pausedLeavesEveryObjectAloneAndSaysSo() {
    String ns = namespace();
    create(ns, "replicas: 3\n");
    awaitObject(StatefulSet.class, ns, "cache");
    awaitObject(ConfigMap.class, ns, "cache-config");
    patchSpec(ns, "{\"paused\": true, \"replicas\": 5}");
    var status = await().atMost(WAIT).until(() -> get(ns).getStatus(), s -> s.phase == Phase.Paused);
    assertThat(ClusterStatusAssembler.find(status.conditions, "Progressing").orElseThrow().getReason()).isEqualTo("Paused");
    admin.configMaps().inNamespace(ns).withName("cache-config").delete();
    // Bounded observation: while paused, neither the replica change nor the deleted ConfigMap is acted on.
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(12)).until(() ->
        admin.apps().statefulSets().inNamespace(ns).withName("cache").get().getSpec().getReplicas() == 3
            && admin.configMaps().inNamespace(ns).withName("cache-config").get() == null);

    patchSpec(ns, "{\"paused\": false}");
    await().atMost(WAIT).until(() -> admin.apps().statefulSets().inNamespace(ns).withName("cache").get().getSpec()
        .getReplicas() == 5 && admin.configMaps().inNamespace(ns).withName("cache-config").get() != null);
  }

  @Test
  void statusFollowsPodReadinessAndTheTopologyIsInstalled() {
    String ns = namespace();
    create(ns, "replicas: 3\nreplicationFactor: 2\n");
    awaitObject(StatefulSet.class, ns, "cache");
    awaitObject(Secret.class, ns, "cache-credentials");
    var kube = new KubeletSimulator(admin, ns);
    for (int i = 0; i < 3; i++) {
      kube.createPod("cache", i);
      FakeDataPlanes.start(ns, "cache", "cache-" + i);
    }
    await().atMost(WAIT).until(() -> get(ns).getStatus().members.size() == 3);
    assertThat(get(ns).getStatus().members).extracting(m -> m.state).containsOnly(Member.State.Starting);

    // Running, not ready: a cluster-mode data plane stays unready until it holds a topology, so the operator must
    // ask it anyway and install one.
    for (int i = 0; i < 3; i++) {
      kube.podStatus("cache-" + i, i + 10, false);
    }
    await().atMost(WAIT).until(() -> java.util.stream.IntStream.range(0, 3).allMatch(i ->
        FakeDataPlanes.of(ns, "cache-" + i).map(n -> n.installed() != null && n.installed().epoch() == 1).orElse(false)));
    var joined = await().atMost(WAIT).until(() -> get(ns).getStatus(),
        s -> s.members.stream().allMatch(m -> m.state == Member.State.Member));
    assertThat(joined.phase).isNotEqualTo(Phase.Running);
    assertThat(ClusterStatusAssembler.find(joined.conditions, "Ready").orElseThrow().getStatus()).isEqualTo("False");

    for (int i = 0; i < 3; i++) {
      kube.podStatus("cache-" + i, i + 10, true);
    }
    kube.statefulSetStatus("cache", 3, 3);
    var running = await().atMost(WAIT).until(() -> get(ns).getStatus(), s -> s.phase == Phase.Running);
    assertThat(running.readyReplicas).isEqualTo(3);
    assertThat(running.topologyEpoch).isEqualTo(1L);
    assertThat(running.members).extracting(m -> m.nodeId).containsExactly(
        FakeDataPlanes.nodeId(ns, "cache-0"), FakeDataPlanes.nodeId(ns, "cache-1"), FakeDataPlanes.nodeId(ns, "cache-2"));
    assertThat(running.members).extracting(m -> m.state).containsOnly(Member.State.Member);
    assertThat(ClusterStatusAssembler.find(running.conditions, "Ready").orElseThrow().getStatus()).isEqualTo("True");
    Topology installed = FakeDataPlanes.of(ns, "cache-0").orElseThrow().installed();
    assertThat(installed.epoch()).isEqualTo(1);
    assertThat(installed.replicationFactor()).isEqualTo(2);
    assertThat(installed.nodes()).extracting(Topology.Node::host)
        .containsExactly("cache-0.cache-nodes." + ns + ".svc", "cache-1.cache-nodes." + ns + ".svc", "cache-2.cache-nodes." + ns + ".svc");
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .extracting(e -> e.getReason()).contains("TopologyInstalled", "Ready");

    // A pod stops being ready (its node says so too): the cluster is Degraded and says which.
    FakeDataPlanes.of(ns, "cache-2").orElseThrow().failing(true);
    kube.podStatus("cache-2", 12, false);
    kube.statefulSetStatus("cache", 3, 2);
    // The StatefulSet status and the pod status arrive as separate events: wait for both to be reflected.
    var degraded = await().atMost(WAIT).until(() -> get(ns).getStatus(),
        s -> s.phase == Phase.Degraded && s.members.get(2).state == Member.State.Starting);
    assertThat(ClusterStatusAssembler.find(degraded.conditions, "Ready").orElseThrow().getStatus()).isEqualTo("False");
    assertThat(degraded.readyReplicas).isEqualTo(2);
    assertThat(degraded.members.get(0).state).isEqualTo(Member.State.Member);
    // No topology without the missing pod was pushed: it still owns its slots.
    assertThat(FakeDataPlanes.of(ns, "cache-0").orElseThrow().installed().epoch()).isEqualTo(1);

    FakeDataPlanes.of(ns, "cache-2").orElseThrow().failing(false);
    kube.podStatus("cache-2", 12, true);
    kube.statefulSetStatus("cache", 3, 3);
    await().atMost(WAIT).until(() -> get(ns).getStatus().phase == Phase.Running);
  }
}
