package io.hyperkv.e2e.kind;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Pod;

/** Data-plane pods go away under continuous writes; every acknowledged INCR survives and replicas converge. */
@KindTest
class PodLossE2ETest extends KindSuiteBase {

    @Test
    void deletingPodsUnderContinuousWritesLosesNoAcknowledgedWrite() {
        String image = cluster.specImage();
        try (CounterLoad load = CounterLoad.start(client, settings, cluster, "podloss", 8, Duration.ofMinutes(15))) {
            List<Pod> pods = cluster.pods();

            // A graceful deletion (what `kubectl delete pod` and node drains do): the pod drains and fsyncs.
            cluster.deletePod(pods.get(1).getMetadata().getName(), 30);
            cluster.awaitReady(baselineReplicas, image);

            // An abrupt one (grace period 0, as a crashed node): whatever the pod had acknowledged is on its peers.
            cluster.deletePod(pods.get(pods.size() - 1).getMetadata().getName(), 0);
            cluster.awaitReady(baselineReplicas, image);

            load.assertNoAcknowledgedWriteLost(load.stop());
        }
    }
}
