package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The drain's order and bounds, over recorded steps (the real steps are exercised over HTTP by DrainTest and by
 * ClusterAdminIT on real processes).
 */
class NodeDrainTest {

    /** Steps that record what the drain did; connections close when asked unless told to linger. */
    private static final class Recorder implements NodeDrain.Steps {
        final List<String> calls = new ArrayList<>();
        final AtomicInteger busy = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        boolean lingering;
        long hintsLeft;

        @Override
        public void stopAccepting() {
            calls.add("stopAccepting");
        }

        @Override
        public int busyConnections() {
            return busy.get();
        }

        @Override
        public void closeConnections() {
            calls.add("close " + open.get());
            if (!lingering) {
                open.set(0);
            }
        }

        @Override
        public int openConnections() {
            return open.get();
        }

        @Override
        public long handOffHints(Duration timeout) {
            calls.add("hints");
            return hintsLeft;
        }

        @Override
        public void sync() {
            calls.add("sync");
        }
    }

    @Test
    void drainStopsAcceptingThenClosesIdleConnectionsThenFsyncs() {
        Recorder steps = new Recorder();
        steps.open.set(3);
        NodeDrain drain = new NodeDrain(steps, "n1");
        assertThat(drain.draining()).isFalse();
        DrainReport report = drain.drain(Duration.ofSeconds(5));
        assertThat(report.drained()).isTrue();
        assertThat(report.connectionsClosed()).isEqualTo(3);
        assertThat(report.problem()).isEmpty();
        assertThat(steps.calls).containsExactly("stopAccepting", "close 3", "hints", "sync");
        assertThat(drain.draining()).isTrue();
    }

    @Test
    void aCommandInFlightIsWaitedForUpToTheTimeoutThenReportedAndTheLogIsFsyncedAnyway() {
        Recorder steps = new Recorder();
        steps.open.set(1);
        steps.busy.set(1);
        NodeDrain drain = new NodeDrain(steps, "n1");
        DrainReport report = drain.drain(Duration.ofMillis(200));
        assertThat(report.drained()).isFalse();
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("1 connection(s) still running"));
        // The busy connection is not cut off mid-command.
        assertThat(steps.calls).containsExactly("stopAccepting", "sync");
        assertThat(drain.draining()).isTrue();

        steps.busy.set(0);
        DrainReport retried = drain.drain(Duration.ofSeconds(5));
        assertThat(retried.drained()).isTrue();
        assertThat(retried.connectionsClosed()).isEqualTo(1);
    }

    @Test
    void connectionsThatDoNotCloseInTimeAreReported() {
        Recorder steps = new Recorder();
        steps.open.set(2);
        steps.lingering = true;
        DrainReport report = new NodeDrain(steps, "n1").drain(Duration.ofMillis(100));
        assertThat(report.drained()).isFalse();
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("2 client connection(s) still open"));
        assertThat(steps.calls).endsWith("sync");
    }

    @Test
    void hintsNotHandedOffToUpPeersInTimeAreReportedAfterTheClientsAreClosed() {
        Recorder steps = new Recorder();
        steps.open.set(1);
        steps.hintsLeft = 7;
        DrainReport report = new NodeDrain(steps, "n1").drain(Duration.ofMillis(100));
        assertThat(report.drained()).isFalse();
        assertThat(report.connectionsClosed()).isEqualTo(1);
        assertThat(report.problem()).hasValueSatisfying(p -> assertThat(p).contains("7 hint(s) not yet handed off"));
        assertThat(steps.calls).containsExactly("stopAccepting", "close 1", "hints", "sync");
    }
}
