package io.hyperkv.operator.it;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/**
 * Plays, against the real API server, the parts of Kubernetes that these tests do not run: the StatefulSet
 * controller (creates the pods from the template, writes the StatefulSet status) and the kubelet (writes pod
 * status: IP, phase, Ready condition). Writes go through the status subresources, as those components do.
 */
final class KubeletSimulator {

  private final KubernetesClient admin;
  private final String namespace;

  KubeletSimulator(KubernetesClient admin, String namespace) {
    this.admin = admin;
    this.namespace = namespace;
  }

  /** Creates pod {@code <sts>-<ordinal>} as the StatefulSet controller would. */
  Pod createPod(String statefulSet, int ordinal) {
    StatefulSet sts = admin.apps().statefulSets().inNamespace(namespace).withName(statefulSet).get();
    String name = statefulSet + "-" + ordinal;
    var spec = new io.fabric8.kubernetes.api.model.PodSpecBuilder(sts.getSpec().getTemplate().getSpec())
        .withHostname(name)
        .withSubdomain(sts.getSpec().getServiceName())
        .addToVolumes(new VolumeBuilder().withName("data").withNewPersistentVolumeClaim()
            .withClaimName("data-" + name).endPersistentVolumeClaim().build())
        .build();
    var pod = new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels())
        .addNewOwnerReference().withApiVersion("apps/v1").withKind("StatefulSet").withName(statefulSet)
        .withUid(sts.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).endOwnerReference()
        .endMetadata()
        .withSpec(spec)
        .build();
    return admin.pods().inNamespace(namespace).resource(pod).create();
  }

  /** Writes the pod's status as its kubelet would once the containers run, ready or not. */
  void podStatus(String pod, int ip, boolean ready) {
    Pod current = admin.pods().inNamespace(namespace).withName(pod).get();
    String now = Instant.now().toString();
    List<PodCondition> conditions = List.of(
        condition("PodScheduled", true, now), condition("Initialized", true, now),
        condition("ContainersReady", ready, now), condition("Ready", ready, now));
    current.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
        .withPhase("Running")
        .withPodIP("10.244.0." + ip)
        .addNewPodIP().withIp("10.244.0." + ip).endPodIP()
        .withHostIP("10.0.0.1")
        .withStartTime(now)
        .withConditions(conditions)
        .build());
    admin.pods().inNamespace(namespace).resource(current).updateStatus();
  }

  /** Writes the StatefulSet status as its controller would after counting ready pods. */
  void statefulSetStatus(String statefulSet, int replicas, int ready) {
    StatefulSet sts = admin.apps().statefulSets().inNamespace(namespace).withName(statefulSet).get();
    sts.setStatus(new io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder()
        .withObservedGeneration(sts.getMetadata().getGeneration())
        .withReplicas(replicas)
        .withCurrentReplicas(replicas)
        .withUpdatedReplicas(replicas)
        .withReadyReplicas(ready)
        .withAvailableReplicas(ready)
        .build());
    admin.apps().statefulSets().inNamespace(namespace).resource(sts).updateStatus();
  }

  private static PodCondition condition(String type, boolean status, String now) {
    return new PodConditionBuilder().withType(type).withStatus(status ? "True" : "False").withLastTransitionTime(now).build();
  }
}
