package io.hyperkv.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * Changing the data-plane image rolls every pod, one at a time, while clients keep writing; no acknowledged
 * write is lost. e2e/run.sh gives the same build a second tag so the upgrade is a real image change.
 */
@KindTest
class RollingUpgradeE2ETest extends KindSuiteBase {

    @Test
    void imageChangeRollsEveryPodUnderLoadWithoutLosingAcknowledgedWrites() {
        String from = cluster.specImage();
        String to = settings.upgradeImage();
        assumeThat(to).as("-Dhyperkv.e2e.upgradeImage (set by e2e/run.sh)").isNotBlank();
        assertThat(to).as("the upgrade image must differ from the running one").isNotEqualTo(from);

        try (CounterLoad load = CounterLoad.start(client, settings, cluster, "upgrade", 8, Duration.ofMinutes(20))) {
            cluster.changeImage(to);
            cluster.awaitReady(baselineReplicas, to);

            load.assertNoAcknowledgedWriteLost(load.stop());
        }
        assertThat(cluster.pods()).allSatisfy(pod ->
                assertThat(pod.getSpec().getContainers()).anySatisfy(c -> assertThat(c.getImage()).isEqualTo(to)));
    }
}
