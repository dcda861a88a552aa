package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.regex.Pattern;

/** Bounded waits on a {@link ClusterHarness} that cluster tests share. */
final class ClusterWaits {

    private ClusterWaits() {
    }

    /** Until every node has a topology and has seen every other node's bus UP (at most a minute). */
    static void allPeersUp(ClusterHarness cluster) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            for (int i = 0; i < cluster.size(); i++) {
                String log = cluster.node(i).log();
                assertThat(log).contains("installed topology epoch");
                for (int j = 0; j < cluster.size(); j++) {
                    if (i != j) {
                        assertThat(log).containsPattern(Pattern.compile("bus peer 127\\.0\\.0\\.1:"
                                + cluster.busPort(j) + " \\(node [0-9a-f]+\\) is now UP"));
                    }
                }
            }
        });
    }
}
