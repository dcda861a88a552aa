package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.hyperkv.operator.api.HyperKVCluster;
import io.hyperkv.operator.api.HyperKVClusterStatus;
import io.hyperkv.operator.api.HyperKVClusterStatus.Phase;
import io.hyperkv.operator.membership.AdminClient;
import io.hyperkv.operator.membership.MembershipSync;
import io.hyperkv.operator.membership.UnsafeTopologyException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reconciles a {@link HyperKVCluster}: the dependents of the workflow below (one class per object, all owned by the
 * cluster), then a membership round against the pods' admin APIs, then the status.
 *
 * <p>The workflow is invoked explicitly so that {@code spec.paused} can skip it: a paused cluster's objects are
 * left exactly as they are (a precondition on each dependent would delete them instead). Status is built by
 * {@link ClusterStatusAssembler} and patched only when it differs from the one on the object, from a fresh object
 * holding only name, namespace and status.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(name = "config", type = ConfigMapDependent.class),
    @Dependent(name = "credentials", type = CredentialsSecretDependent.class),
    @Dependent(name = "headless-service", type = HeadlessServiceDependent.class),
    @Dependent(name = "client-service", type = ClientServiceDependent.class),
    @Dependent(name = "statefulset", type = StatefulSetDependent.class,
        dependsOn = {"config", "credentials", "headless-service"}),
    @Dependent(name = "pdb", type = PodDisruptionBudgetDependent.class)
})
@ControllerConfiguration(name = HyperKVClusterReconciler.NAME)
public class HyperKVClusterReconciler implements Reconciler<HyperKVCluster> {

  public static final String NAME = "hyperkvcluster";

  private final AdminEndpoints endpoints;
  private final EventRecorder events;
  private final MembershipSync membership;
  private final ServiceMonitorDependent serviceMonitor = new ServiceMonitorDependent();
  private final String defaultVersion;

  public HyperKVClusterReconciler(AdminEndpoints endpoints, EventRecorder events,
      @ConfigProperty(name = "hyperkv.operator.admin-timeout", defaultValue = "3s") Duration adminTimeout,
      @ConfigProperty(name = "hyperkv.operator.default-version", defaultValue = StatefulSetDependent.DEFAULT_VERSION)
      String defaultVersion) {
    this.endpoints = endpoints;
    this.events = events;
    this.membership = new MembershipSync(new AdminClient(adminTimeout));
    this.defaultVersion = defaultVersion;
  }

  @Override
  public List<EventSource<?, HyperKVCluster>> prepareEventSources(EventSourceContext<HyperKVCluster> context) {
    // Pods belong to the StatefulSet, not to the cluster: map them back by their instance label.
    var pods = InformerEventSourceConfiguration.from(Pod.class, HyperKVCluster.class)
        .withName("pods")
        .withLabelSelector(ClusterNames.MANAGED_SELECTOR)
        .withSecondaryToPrimaryMapper(pod -> Optional.ofNullable(pod.getMetadata().getLabels())
            .map(l -> l.get(ClusterNames.LABEL_INSTANCE))
            .map(name -> Set.of(new ResourceID(name, pod.getMetadata().getNamespace())))
            .orElse(Set.of()))
        .withNamespacesInheritedFromController()
        .build();
    return List.of(new InformerEventSource<>(pods, context));
  }

  @Override
  public UpdateControl<HyperKVCluster> reconcile(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    HyperKVClusterStatus previous = cluster.getStatus();
    boolean paused = cluster.getSpec().isPaused();
    Optional<MembershipSync.Result> round = Optional.empty();
    if (!paused) {
      context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow()
          .throwAggregateExceptionIfErrorsPresent();
      serviceMonitor.reconcile(cluster, context.getClient());
      round = membershipRound(cluster, context);
    }
    var status = ClusterStatusAssembler.assemble(cluster, context.getSecondaryResource(StatefulSet.class),
        pods(cluster, context), round, version(cluster), Instant.now());
    recordTransitions(cluster, previous, status, round);

    // The data plane's state is not a Kubernetes event: poll it, often while converging.
    Duration next = status.phase == Phase.Running || paused ? Duration.ofSeconds(60) : Duration.ofSeconds(5);
    if (status.equals(previous)) {
      return UpdateControl.<HyperKVCluster>noUpdate().rescheduleAfter(next);
    }
    return UpdateControl.patchStatus(statusOnly(cluster, status)).rescheduleAfter(next);
  }

  @Override
  public ErrorStatusUpdateControl<HyperKVCluster> updateErrorStatus(HyperKVCluster cluster,
      Context<HyperKVCluster> context, Exception e) {
    events.warning(cluster, "ReconcileFailed", String.valueOf(e.getMessage()));
    var status = cluster.getStatus() == null ? new HyperKVClusterStatus() : cluster.getStatus();
    var degraded = new io.fabric8.kubernetes.api.model.ConditionBuilder()
        .withType(ClusterStatusAssembler.DEGRADED).withStatus("True").withReason("ReconcileFailed")
        .withMessage(String.valueOf(e.getMessage()))
        .withObservedGeneration(cluster.getMetadata().getGeneration())
        .withLastTransitionTime(Instant.now().toString()).build();
    var conditions = new ArrayList<>(status.conditions == null ? List.of() : status.conditions);
    conditions.removeIf(c -> ClusterStatusAssembler.DEGRADED.equals(c.getType()));
    conditions.add(degraded);
    status.conditions = conditions;
    status.phase = Phase.Degraded;
    return ErrorStatusUpdateControl.patchStatus(statusOnly(cluster, status));
  }

  private Optional<MembershipSync.Result> membershipRound(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    ClusterNames names = ClusterNames.of(cluster);
    Optional<String> token = context.getSecondaryResource(Secret.class)
        .filter(s -> names.credentialsSecret().equals(s.getMetadata().getName()))
        .flatMap(s -> CredentialsSecretDependent.value(s, CredentialsSecretDependent.ADMIN_TOKEN));
    List<Pod> pods = pods(cluster, context);
    // Asked once running with an address, ready or not: a data-plane node reports unready until it has a topology.
    if (token.isEmpty() || pods.stream().noneMatch(ClusterStatusAssembler::isRunning)) {
      return Optional.empty();
    }
    var endpointsByPod = new ArrayList<MembershipSync.PodEndpoint>();
    for (Pod pod : pods) {
      int ordinal = ordinal(pod);
      Optional<java.net.URI> admin = ClusterStatusAssembler.isRunning(pod) ? endpoints.of(pod) : Optional.empty();
      endpointsByPod.add(new MembershipSync.PodEndpoint(pod.getMetadata().getName(), ClusterStatusAssembler.isReady(pod),
          admin, names.podHost(ordinal), ClusterNames.CLIENT_PORT, ClusterNames.BUS_PORT));
    }
    long lastEpoch = Optional.ofNullable(cluster.getStatus()).map(s -> s.topologyEpoch).orElse(0L);
    try {
      return Optional.of(membership.sync(endpointsByPod, cluster.getSpec().replicasOrDefault(),
          cluster.getSpec().replicationFactorOrDefault(), token.get(), lastEpoch));
    } catch (UnsafeTopologyException e) {
      events.warning(cluster, "TopologyRefused", e.getMessage());
      return Optional.empty();
    }
  }

  /** This cluster's pods that belong to the current StatefulSet size, by ordinal. */
  private static List<Pod> pods(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    return context.getSecondaryResources(Pod.class).stream()
        .filter(p -> cluster.getMetadata().getName().equals(p.getMetadata().getLabels().get(ClusterNames.LABEL_INSTANCE)))
        .filter(p -> ordinal(p) >= 0)
        .sorted(Comparator.comparingInt(HyperKVClusterReconciler::ordinal))
        .toList();
  }

  private static int ordinal(Pod pod) {
    String name = pod.getMetadata().getName();
    try {
      return Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private String version(HyperKVCluster cluster) {
    return cluster.getSpec().version != null ? cluster.getSpec().version : defaultVersion;
  }

  private void recordTransitions(HyperKVCluster cluster, HyperKVClusterStatus before, HyperKVClusterStatus after,
      Optional<MembershipSync.Result> round) {
    Phase was = before == null ? null : before.phase;
    if (was != after.phase) {
      switch (after.phase) {
        case Paused -> events.normal(cluster, "Paused", "spec.paused is true: reconciliation stopped");
        case Running -> events.normal(cluster, "Ready", after.readyReplicas + " pods ready, topology epoch " + after.topologyEpoch);
        case Degraded -> events.warning(cluster, "Degraded",
            ClusterStatusAssembler.find(after.conditions, ClusterStatusAssembler.DEGRADED).map(c -> c.getMessage()).orElse(""));
        default -> {
          if (was == Phase.Paused) {
            events.normal(cluster, "Resumed", "spec.paused is false: reconciliation resumed");
          }
        }
      }
    }
    round.filter(MembershipSync.Result::pushed).ifPresent(r -> events.normal(cluster, "TopologyInstalled",
        "topology epoch " + r.epochInForce().orElse(null) + " pushed to " + r.members().size() + " pods"
            + r.problem().map(p -> " with failures: " + p).orElse("")));
  }

  private static HyperKVCluster statusOnly(HyperKVCluster cluster, HyperKVClusterStatus status) {
    var fresh = new HyperKVCluster();
    ObjectMeta meta = new ObjectMetaBuilder()
        .withName(cluster.getMetadata().getName())
        .withNamespace(cluster.getMetadata().getNamespace())
        .build();
    fresh.setMetadata(meta);
    fresh.setStatus(status);
    return fresh;
  }
}
