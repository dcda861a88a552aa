package io.hyperkv.server;

import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.FlushCut;
import io.hyperkv.store.Keyspace;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Makes every FLUSHDB/FLUSHALL cut reach every node, however long it was away (cluster mode). The flushing node ships
 * its cut to all nodes like a write ({@link Replicator#flushed}), and a node that is down gets it from the hints when
 * it returns; but hints are bounded (size, age), so on top of that, whenever a peer's bus link comes UP this node
 * sends it every cut it holds (per db, the highest it took or applied) as ordinary delta envelopes. Applying a cut is
 * idempotent ({@link Keyspace#applyCut}), so the duplicates cost one comparison per db, and cuts spread transitively:
 * any node that has one hands it on, the flushing node need not be up.
 *
 * <p>Threading: the listener runs on the bus thread and only queues (never blocks).
 */
final class FlushCutRelay {

    private static final Logger LOG = Logger.getLogger(FlushCutRelay.class);

    private FlushCutRelay() {
    }

    /** Starts relaying this node's cuts to every peer whose link comes UP on {@code bus}. */
    static void attach(BusNode bus, Keyspace keyspace) {
        bus.addListener(e -> {
            if (e.to() == PeerState.UP && e.id().isPresent()) {
                List<DeltaEnvelope> cuts = envelopes(keyspace);
                if (!cuts.isEmpty() && !(bus.send(e.id().get(), cuts) instanceof io.hyperkv.cluster.bus.Delivery.Queued)) {
                    // the next UP, or the hints of the flush itself, carry them
                    LOG.debugf("could not queue %d flush cut(s) for node %s", cuts.size(), e.id().get());
                }
            }
        });
    }

    /** One envelope per db that has a cut, consecutive dbs with the same cut (a FLUSHALL) in one. */
    static List<DeltaEnvelope> envelopes(Keyspace keyspace) {
        List<DeltaEnvelope> out = new ArrayList<>();
        int from = 0;
        Stamp run = null;
        for (int db = 0; db <= keyspace.databases(); db++) {
            Stamp cut = db < keyspace.databases() ? keyspace.cut(db) : null;
            if (run != null && !run.equals(cut)) {
                out.add(DeltaApplier.envelope(new FlushCut(from, db, run)));
                run = null;
            }
            if (cut != null && run == null) {
                run = cut;
                from = db;
            }
        }
        return out;
    }
}
