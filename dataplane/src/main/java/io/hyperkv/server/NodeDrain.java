package io.hyperkv.server;

import java.time.Duration;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/drain}, run by the pod's preStop hook before it is stopped: the node becomes unready (Kubernetes
 * stops sending it clients), refuses new connections with an error line, lets the commands in flight finish and send their replies
 * (worker commands and replies waiting for an fsync), closes the client connections so their clients reconnect to
 * another node, and fsyncs the write-ahead log. Every wait is bounded by one deadline; past it the drain reports what
 * is left, and the log is fsynced anyway.
 *
 * <p>Draining is one-way: a drained node stays unready and closed to clients until its process restarts (what
 * follows a preStop). Calling it again re-checks and re-fsyncs, so a retried preStop is harmless. Once the clients are
 * gone, the hints kept for peers that are UP are handed off (DESIGN.md section 7) within the same deadline; hints for
 * peers that are not UP stay stored for when they return.
 */
final class NodeDrain {

    private static final Logger LOG = Logger.getLogger(NodeDrain.class);

    /** The node parts a drain acts on; the real ones are the RESP listener, the connections and the store. */
    interface Steps {
        /** Refuses every new client connection; connections already open are not touched. */
        void stopAccepting();

        /** Connections with a command on a worker or replies waiting for an fsync. */
        int busyConnections();

        /** Asks every open client connection to close. */
        void closeConnections();

        int openConnections();

        /**
         * Delivers the hints kept for peers that are UP, waiting at most {@code timeout}; returns how many are still
         * kept for UP peers (0 on a single node, which keeps none).
         */
        long handOffHints(Duration timeout);

        /** Forces the write-ahead log to disk. */
        void sync();
    }

    private final Steps steps;
    private final String nodeId;
    private volatile boolean draining;

    NodeDrain(Steps steps, String nodeId) {
        this.steps = steps;
        this.nodeId = nodeId;
    }

    boolean draining() {
        return draining;
    }

    synchronized DrainReport drain(Duration timeout) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        if (!draining) {
            LOG.infof("node %s draining: unready, no new client connections (timeout %d s)", nodeId,
                    timeout.toSeconds());
        }
        draining = true;
        steps.stopAccepting();
        boolean idle = waitFor(steps::busyConnections, deadline);
        int open = steps.openConnections();
        int closed = 0;
        boolean noClients = false;
        if (idle) {
            steps.closeConnections();
            noClients = waitFor(steps::openConnections, deadline);
            closed = open - (noClients ? 0 : steps.openConnections());
        }
        // Hints go once no client can write any more; a drain stuck on clients reports that first.
        long hintsLeft = idle && noClients
                ? steps.handOffHints(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))) : 0;
        steps.sync();
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (idle && noClients && hintsLeft == 0) {
            LOG.infof("node %s drained in %d ms: %d client connection%s closed, hints handed off, log fsynced", nodeId,
                    millis, closed, closed == 1 ? "" : "s");
            return new DrainReport(true, closed, millis, Optional.empty());
        }
        String problem = !idle
                ? steps.busyConnections() + " connection(s) still running a command or waiting for an fsync after "
                        + timeout.toSeconds() + " s"
                : !noClients
                        ? steps.openConnections() + " client connection(s) still open after " + timeout.toSeconds()
                                + " s"
                        : hintsLeft + " hint(s) not yet handed off to peers that are up after " + timeout.toSeconds()
                                + " s";
        LOG.warnf("node %s drain timed out: %s (log fsynced)", nodeId, problem);
        return new DrainReport(false, closed, millis, Optional.of(problem));
    }

    /** Waits until {@code count} reads 0 or the deadline passes; true when it reached 0. */
    private static boolean waitFor(IntSupplier count, long deadline) {
        while (count.getAsInt() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
