package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.hyperkv.operator.api.HyperKVClusterSpec;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The data-plane pods. Invariants:
 * <ul>
 * <li>{@code updateStrategy: OnDelete}: Kubernetes never restarts a pod on its own; the operator chooses the order
 * (one at a time, only when every slot is in sync), so a template change alone restarts nothing.</li>
 * <li>The pod template carries a hash of the ConfigMap's data, so a configuration change is a template change
 * the operator can see and roll out.</li>
 * <li>Selector labels never change (a StatefulSet selector is immutable).</li>
 * <li>Pods run under the restricted Pod Security Standard: non-root, no privilege escalation, all capabilities
 * dropped, RuntimeDefault seccomp, read-only root file system.</li>
 * </ul>
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterNames.MANAGED_SELECTOR))
public class StatefulSetDependent extends ClusterOwnedDependent<StatefulSet> {

  public static final String CONTAINER = "hyperkv";
  public static final String CONFIG_HASH_ANNOTATION = "hyperkv.io/config-hash";
  public static final String DATA_VOLUME = "data";
  public static final String TLS_DIR = "/etc/hyperkv/tls";
  /** Image repository used when the spec gives no image; the tag is spec.version or the operator's default. */
  public static final String DEFAULT_IMAGE_REPOSITORY = "ghcr.io/hyperkv/hyperkv";
  public static final String DEFAULT_VERSION = "0.1.0";
  static final long RUN_AS = 1001;

  public StatefulSetDependent() {
    super(StatefulSet.class);
  }

  @Override
  protected StatefulSet desired(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    var config = ConfigProvider.getConfig();
    String repository = config.getOptionalValue("hyperkv.operator.image-repository", String.class).orElse(DEFAULT_IMAGE_REPOSITORY);
    String version = config.getOptionalValue("hyperkv.operator.default-version", String.class).orElse(DEFAULT_VERSION);
    return build(cluster, repository, version);
  }

  /** The image the pods run: spec.image, else the repository at spec.version (else the default version). */
  public static String image(HyperKVClusterSpec spec, String repository, String defaultVersion) {
    if (spec.image != null && !spec.image.isBlank()) {
      return spec.image;
    }
    return repository + ":" + (spec.version == null ? defaultVersion : spec.version);
  }

  static StatefulSet build(HyperKVCluster cluster, String repository, String defaultVersion) {
    ClusterNames names = ClusterNames.of(cluster);
    HyperKVClusterSpec spec = cluster.getSpec();
    var scheduling = spec.schedulingOrDefault();
    var storage = spec.storageOrDefault();

    var podSpec = new PodSpecBuilder()
        .withAutomountServiceAccountToken(false)
        .withTerminationGracePeriodSeconds(60L)
        .withEnableServiceLinks(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(RUN_AS)
        .withRunAsGroup(RUN_AS)
        .withFsGroup(RUN_AS)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .endSecurityContext()
        .withContainers(container(cluster, image(spec, repository, defaultVersion)))
        .withVolumes(volumes(cluster))
        .withAffinity(scheduling.affinity)
        .withTolerations(scheduling.tolerations)
        .withNodeSelector(scheduling.nodeSelector)
        .withPriorityClassName(scheduling.priorityClassName)
        .withTopologySpreadConstraints(spread(names, scheduling))
        .build();

    var claim = new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(DATA_VOLUME).withLabels(names.labels()).endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withStorageClassName(storage.storageClassName)
        .withNewResources().addToRequests("storage", new Quantity(storage.sizeOrDefault())).endResources()
        .endSpec()
        .build();

    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName(names.statefulSet())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .endMetadata()
        .withNewSpec()
        .withReplicas(spec.replicasOrDefault())
        .withServiceName(names.headlessService())
        // Pods start together: a node becomes ready only once it reaches its peers, so ordered start would stall.
        .withPodManagementPolicy("Parallel")
        .withNewUpdateStrategy().withType("OnDelete").endUpdateStrategy()
        .withSelector(new LabelSelectorBuilder().withMatchLabels(names.selectorLabels()).build())
        .withNewPersistentVolumeClaimRetentionPolicy()
        // Data outlives the cluster object and scale-downs: deleting a database's volumes is a human decision.
        .withWhenDeleted("Retain")
        .withWhenScaled("Retain")
        .endPersistentVolumeClaimRetentionPolicy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(names.labels())
        .withAnnotations(Map.of(CONFIG_HASH_ANNOTATION, configHash(DataPlaneConfig.of(cluster))))
        .endMetadata()
        .withSpec(podSpec)
        .endTemplate()
        .withVolumeClaimTemplates(claim)
        .endSpec()
        .build();
  }

  private static Container container(HyperKVCluster cluster, String image) {
    ClusterNames names = ClusterNames.of(cluster);
    HyperKVClusterSpec spec = cluster.getSpec();
    var env = new ArrayList<EnvVar>();
    env.add(fieldRef("POD_NAME", "metadata.name"));
    env.add(fieldRef("POD_IP", "status.podIP"));
    env.add(new EnvVarBuilder().withName("HYPERKV_CLUSTER_ANNOUNCE_HOST")
        .withValue("$(POD_NAME)." + names.headlessService() + "." + names.namespace() + ".svc").build());
    if (CredentialsSecretDependent.generatesPassword(cluster)) {
      env.add(secretRef("HYPERKV_REQUIREPASS", names.credentialsSecret(), CredentialsSecretDependent.PASSWORD));
    } else {
      var ref = spec.auth.passwordSecret;
      env.add(secretRef("HYPERKV_REQUIREPASS", ref.name, ref.key == null ? "password" : ref.key));
    }
    env.add(secretRef("HYPERKV_CLUSTER_SECRET", names.credentialsSecret(), CredentialsSecretDependent.CLUSTER_SECRET));
    env.add(secretRef("HYPERKV_ADMIN_TOKEN", names.credentialsSecret(), CredentialsSecretDependent.ADMIN_TOKEN));

    return new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(image)
        .withImagePullPolicy("IfNotPresent")
        .addNewPort().withName("redis").withContainerPort(ClusterNames.CLIENT_PORT).endPort()
        .addNewPort().withName("bus").withContainerPort(ClusterNames.BUS_PORT).endPort()
        .addNewPort().withName("admin").withContainerPort(ClusterNames.ADMIN_PORT).endPort()
        .addNewEnvFrom().withNewConfigMapRef().withName(names.configMap()).endConfigMapRef().endEnvFrom()
        .withEnv(env)
        .withResources(spec.resources)
        // Recovery of a large store can take minutes: liveness only starts counting once the node is up.
        .withStartupProbe(httpProbe("/q/health/live", 60))
        .withReadinessProbe(httpProbe("/q/health/ready", 3))
        .withLivenessProbe(httpProbe("/q/health/live", 6))
        .withNewLifecycle()
        .withNewPreStop()
        // Drain before the pod goes: stop taking clients, hand off hints, fsync (admin API, section 7).
        .withNewExec()
        .withCommand("/bin/sh", "-c",
            "curl -fsS -m 50 -X POST -H \"Authorization: Bearer ${HYPERKV_ADMIN_TOKEN}\" "
                + "http://127.0.0.1:" + ClusterNames.ADMIN_PORT + "/v1/drain || true")
        .endExec()
        .endPreStop()
        .endLifecycle()
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .endSecurityContext()
        .withVolumeMounts(mounts(cluster))
        .build();
  }

  private static List<Volume> volumes(HyperKVCluster cluster) {
    var volumes = new ArrayList<Volume>();
    // The root file system is read-only; the JVM and RocksDB still need a scratch directory.
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().endEmptyDir().build());
    var tls = cluster.getSpec().tlsOrDefault();
    if (tls.isEnabled()) {
      volumes.add(new VolumeBuilder().withName("tls").withNewSecret().withSecretName(tls.secretName).endSecret().build());
    }
    return volumes;
  }

  private static List<VolumeMount> mounts(HyperKVCluster cluster) {
    var mounts = new ArrayList<VolumeMount>();
    mounts.add(new VolumeMountBuilder().withName(DATA_VOLUME).withMountPath(DataPlaneConfig.DATA_DIR).build());
    mounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    if (cluster.getSpec().tlsOrDefault().isEnabled()) {
      mounts.add(new VolumeMountBuilder().withName("tls").withMountPath(TLS_DIR).withReadOnly(true).build());
    }
    return mounts;
  }

  /**
   * The user's spread constraints, or by default a soft spread over nodes: replicas of one slot on one node
   * would all go down with it.
   */
  private static List<io.fabric8.kubernetes.api.model.TopologySpreadConstraint> spread(ClusterNames names,
      io.hyperkv.operator.api.Scheduling scheduling) {
    if (scheduling.topologySpreadConstraints != null && !scheduling.topologySpreadConstraints.isEmpty()) {
      return scheduling.topologySpreadConstraints;
    }
    if (scheduling.affinity != null) {
      return null;
    }
    return List.of(new TopologySpreadConstraintBuilder()
        .withMaxSkew(1)
        .withTopologyKey("kubernetes.io/hostname")
        .withWhenUnsatisfiable("ScheduleAnyway")
        .withLabelSelector(new LabelSelectorBuilder().withMatchLabels(names.selectorLabels()).build())
        .build());
  }

  private static Probe httpProbe(String path, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withNewPort("admin").endHttpGet()
        .withPeriodSeconds(5)
        .withTimeoutSeconds(3)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  private static EnvVar fieldRef(String name, String path) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewFieldRef().withFieldPath(path).endFieldRef()
        .endValueFrom().build();
  }

  private static EnvVar secretRef(String name, String secret, String key) {
    return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef().withName(secret).withKey(key)
        .endSecretKeyRef().endValueFrom().build();
  }

  static String configHash(Map<String, String> data) {
    try {
      var digest = MessageDigest.getInstance("SHA-256");
      // data is sorted (DataPlaneConfig), so equal content gives an equal hash.
      data.forEach((k, v) -> {
        digest.update(k.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(v.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
      });
      return HexFormat.of().formatHex(digest.digest(), 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
