package io.hyperkv.operator.cluster;

import static io.hyperkv.operator.cluster.ClusterFixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.hyperkv.operator.api.Auth;
import io.hyperkv.operator.api.Consistency;
import io.hyperkv.operator.api.Memory;
import io.hyperkv.operator.api.Persistence;
import io.hyperkv.operator.api.Scheduling;
import io.hyperkv.operator.api.Storage;
import io.hyperkv.operator.api.Tls;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DependentBuildersTest {

  static final String REPO = "registry.example/hyperkv";

  static EnvVar env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow(() -> new AssertionError(name));
  }

  @Test
  void configMapCarriesTheDataPlaneSettingsOfTheSpec() {
    var c = cluster("cache");
    c.getSpec().replicas = 3;
    c.getSpec().replicationFactor = 2;
    c.getSpec().persistence = new Persistence();
    c.getSpec().persistence.fsync = Persistence.Fsync.always;
    c.getSpec().memory = new Memory();
    c.getSpec().memory.maxmemory = "2Gi";
    c.getSpec().memory.evictionPolicy = Memory.EvictionPolicy.ALLKEYS_LRU;
    c.getSpec().consistency = new Consistency();
    c.getSpec().consistency.write = Consistency.WriteConsistency.all;
    Map<String, String> data = ConfigMapDependent.build(c).getData();
    assertThat(data).containsEntry("HYPERKV_PORT", "6379")
        .containsEntry("HYPERKV_BIND", "0.0.0.0")
        .containsEntry("HYPERKV_DATA_DIR", "/data")
        .containsEntry("HYPERKV_APPENDFSYNC", "always")
        .containsEntry("HYPERKV_MAXMEMORY", "2147483648")
        .containsEntry("HYPERKV_MAXMEMORY_POLICY", "allkeys-lru")
        .containsEntry("HYPERKV_STORAGE_ENGINE", "rocksdb")
        .containsEntry("HYPERKV_CLUSTER_ENABLED", "true")
        .containsEntry("HYPERKV_CLUSTER_BUS_PORT", "16379")
        .containsEntry("HYPERKV_CLUSTER_REPLICATION_FACTOR", "2")
        .containsEntry("HYPERKV_CLUSTER_WRITE_CONSISTENCY", "all")
        .containsEntry("HYPERKV_CLUSTER_READ_CONSISTENCY", "one")
        .containsEntry("HYPERKV_CLUSTER_PEERS", "cache-0.cache-nodes.shop.svc:16379,cache-1.cache-nodes.shop.svc:16379,"
            + "cache-2.cache-nodes.shop.svc:16379");
    assertThat(ConfigMapDependent.build(c).getMetadata().getName()).isEqualTo("cache-config");
  }

  @Test
  void secretIsGeneratedWithEveryKeyAndNeverRegenerated() {
    var c = cluster("cache");
    var first = CredentialsSecretDependent.build(c, Optional.empty(), new SecureRandom());
    assertThat(first.getData()).containsOnlyKeys("password", "admin-token", "cluster-secret");
    assertThat(CredentialsSecretDependent.value(first, "admin-token")).hasValueSatisfying(v -> assertThat(v).hasSize(43));
    var again = CredentialsSecretDependent.build(c, Optional.of(first), new SecureRandom());
    assertThat(again.getData()).isEqualTo(first.getData());
  }

  @Test
  void secretGainsOnlyMissingKeys() {
    var c = cluster("cache");
    var partial = CredentialsSecretDependent.build(c, Optional.empty(), new SecureRandom());
    partial.getData().remove("cluster-secret");
    String token = partial.getData().get("admin-token");
    var completed = CredentialsSecretDependent.build(c, Optional.of(partial), new SecureRandom());
    assertThat(completed.getData()).containsKey("cluster-secret").containsEntry("admin-token", token);
  }

  @Test
  void aUserPasswordSecretIsReferencedAndNoPasswordGenerated() {
    var c = cluster("cache");
    c.getSpec().auth = new Auth();
    c.getSpec().auth.passwordSecret = new Auth.SecretKey();
    c.getSpec().auth.passwordSecret.name = "my-pass";
    c.getSpec().auth.passwordSecret.key = "pw";
    assertThat(CredentialsSecretDependent.build(c, Optional.empty(), new SecureRandom()).getData())
        .containsOnlyKeys("admin-token", "cluster-secret");
    Container container = StatefulSetDependent.build(c, REPO, "1.0").getSpec().getTemplate().getSpec().getContainers().get(0);
    var ref = env(container, "HYPERKV_REQUIREPASS").getValueFrom().getSecretKeyRef();
    assertThat(ref.getName()).isEqualTo("my-pass");
    assertThat(ref.getKey()).isEqualTo("pw");
  }

  @Test
  void headlessServicePublishesEveryPortBeforeReadiness() {
    var s = HeadlessServiceDependent.build(cluster("cache"));
    assertThat(s.getMetadata().getName()).isEqualTo("cache-nodes");
    assertThat(s.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(s.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(s.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(6379, 16379, 8080);
    assertThat(s.getSpec().getSelector()).containsEntry("app.kubernetes.io/instance", "cache");
  }

  @Test
  void clientServiceExposesOnlyTheRedisPort() {
    var s = ClientServiceDependent.build(cluster("cache"));
    assertThat(s.getMetadata().getName()).isEqualTo("cache");
    assertThat(s.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(6379);
      assertThat(p.getName()).isEqualTo("redis");
    });
  }

  @Test
  void podDisruptionBudgetAllowsOnePodDown() {
    var pdb = PodDisruptionBudgetDependent.build(cluster("cache"));
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels()).containsEntry("app.kubernetes.io/instance", "cache");
  }

  @Test
  void serviceMonitorScrapesTheAdminPort() {
    var sm = ServiceMonitorDependent.build(cluster("cache"));
    assertThat(sm.getKind()).isEqualTo("ServiceMonitor");
    assertThat(sm.getMetadata().getOwnerReferences()).singleElement().satisfies(r -> assertThat(r.getController()).isTrue());
    assertThat(sm.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(sm.get("spec", "endpoints").toString()).contains("port=admin").contains("path=/q/metrics");
  }

  @Test
  void statefulSetIsOnDeleteWithClaimsProbesAndDrain() {
    var c = cluster("cache");
    c.getSpec().storage = new Storage();
    c.getSpec().storage.size = "20Gi";
    c.getSpec().storage.storageClassName = "fast";
    var sts = StatefulSetDependent.build(c, REPO, "1.0");
    assertThat(sts.getSpec().getUpdateStrategy().getType()).isEqualTo("OnDelete");
    assertThat(sts.getSpec().getServiceName()).isEqualTo("cache-nodes");
    assertThat(sts.getSpec().getReplicas()).isEqualTo(3);
    var claim = sts.getSpec().getVolumeClaimTemplates().get(0);
    assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("20Gi"));
    assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
    Container container = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(container.getImage()).isEqualTo(REPO + ":1.0");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    assertThat(container.getPorts()).extracting(p -> p.getContainerPort()).containsExactly(6379, 16379, 8080);
    assertThat(String.join(" ", container.getLifecycle().getPreStop().getExec().getCommand()))
        .contains("-X POST").contains("Authorization: Bearer ${HYPERKV_ADMIN_TOKEN}").contains("/v1/drain");
    assertThat(container.getEnvFrom().get(0).getConfigMapRef().getName()).isEqualTo("cache-config");
    assertThat(env(container, "HYPERKV_ADMIN_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("cache-credentials");
    assertThat(env(container, "HYPERKV_CLUSTER_SECRET").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("cluster-secret");
    assertThat(env(container, "HYPERKV_REQUIREPASS").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
    assertThat(container.getVolumeMounts()).extracting(m -> m.getMountPath()).contains("/data");
  }

  @Test
  void podsRunUnderTheRestrictedPodSecurityStandard() {
    var pod = StatefulSetDependent.build(cluster("cache"), REPO, "1.0").getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var sc = pod.getContainers().get(0).getSecurityContext();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
  }

  @Test
  void schedulingAndResourcesComeFromTheSpec() {
    var c = cluster("cache");
    c.getSpec().resources = new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("4Gi")).build();
    c.getSpec().scheduling = new Scheduling();
    c.getSpec().scheduling.tolerations = List.of(new TolerationBuilder().withKey("dedicated").withOperator("Exists").build());
    c.getSpec().scheduling.nodeSelector = Map.of("disk", "ssd");
    var pod = StatefulSetDependent.build(c, REPO, "1.0").getSpec().getTemplate().getSpec();
    assertThat(pod.getContainers().get(0).getResources().getLimits()).containsEntry("memory", new Quantity("4Gi"));
    assertThat(pod.getTolerations()).extracting(t -> t.getKey()).containsExactly("dedicated");
    assertThat(pod.getNodeSelector()).containsEntry("disk", "ssd");
    // No affinity or spread given: pods are spread over nodes by default.
    assertThat(pod.getTopologySpreadConstraints()).singleElement()
        .satisfies(t -> assertThat(t.getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
  }

  @Test
  void aConfigurationChangeChangesThePodTemplate() {
    var c = cluster("cache");
    String before = StatefulSetDependent.build(c, REPO, "1.0").getSpec().getTemplate().getMetadata().getAnnotations()
        .get(StatefulSetDependent.CONFIG_HASH_ANNOTATION);
    c.getSpec().persistence = new Persistence();
    c.getSpec().persistence.fsync = Persistence.Fsync.no;
    String after = StatefulSetDependent.build(c, REPO, "1.0").getSpec().getTemplate().getMetadata().getAnnotations()
        .get(StatefulSetDependent.CONFIG_HASH_ANNOTATION);
    assertThat(after).isNotEqualTo(before).hasSize(32);
  }

  @Test
  void imageComesFromTheSpecOrTheRepositoryAndVersion() {
    var c = cluster("cache");
    assertThat(StatefulSetDependent.image(c.getSpec(), REPO, "1.0")).isEqualTo(REPO + ":1.0");
    c.getSpec().version = "1.2.3";
    assertThat(StatefulSetDependent.image(c.getSpec(), REPO, "1.0")).isEqualTo(REPO + ":1.2.3");
    c.getSpec().image = "mirror.local/hkv@sha256:abc";
    assertThat(StatefulSetDependent.image(c.getSpec(), REPO, "1.0")).isEqualTo("mirror.local/hkv@sha256:abc");
  }

  @Test
  void tlsMountsTheSecretAndTellsTheDataPlane() {
    var c = cluster("cache");
    c.getSpec().tls = new Tls();
    c.getSpec().tls.enabled = true;
    c.getSpec().tls.secretName = "cache-tls";
    var pod = StatefulSetDependent.build(c, REPO, "1.0").getSpec().getTemplate().getSpec();
    assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).extracting(v -> v.getSecret().getSecretName())
        .containsExactly("cache-tls");
    assertThat(ConfigMapDependent.build(c).getData()).containsEntry("HYPERKV_TLS_ENABLED", "true")
        .containsEntry("HYPERKV_TLS_CERT_FILE", "/etc/hyperkv/tls/tls.crt");
  }
}
