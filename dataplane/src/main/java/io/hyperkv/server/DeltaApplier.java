package io.hyperkv.server;

import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.DeltaHandler;
import io.hyperkv.cluster.bus.Origin;
import io.hyperkv.store.FlushCut;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.KeySlot;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * The receiving end of replication: merges the deltas a peer sent into this node's keyspace
 * ({@link Keyspace#merge}, idempotent, under the key's lock, never reported back to the replicator) on a worker, and
 * lets the bus acknowledge the batch only once the merges are durable ({@link Keyspace#durable()}), so an ack means
 * "on disk here" under the node's appendfsync policy.
 *
 * <p>A batch that does not hold together (a delta that does not decode, a slot that is not the key's, a database out
 * of range) is refused whole with a {@link DeltaRejection} {@code MALFORMED} naming the first bad delta, before any of
 * it is merged; the sender keeps it as a hint and the node goes on serving. An envelope whose delta is a
 * {@link FlushCut} (another node's FLUSHDB/FLUSHALL) is applied with {@link Keyspace#applyCut}, in its place in the
 * batch. {@link #apply} never blocks the bus thread.
 */
final class DeltaApplier implements DeltaHandler {

    private static final Logger LOG = Logger.getLogger(DeltaApplier.class);

    private final Keyspace keyspace;
    private final Executor worker;

    DeltaApplier(Keyspace keyspace, Executor worker) {
        this.keyspace = keyspace;
        this.worker = worker;
    }

    @Override
    public CompletableFuture<Void> apply(List<DeltaEnvelope> batch) {
        return CompletableFuture.supplyAsync(() -> {
            List<Object> deltas = decode(batch);
            for (int i = 0; i < deltas.size(); i++) {
                DeltaEnvelope e = batch.get(i);
                if (deltas.get(i) instanceof FlushCut cut) {
                    if (keyspace.applyCut(cut)) {
                        LOG.infof("applied a peer's flush of db %d..%d: removed what was stamped at or before %s",
                                cut.fromDb(), cut.toDb() - 1, cut.cut());
                    }
                } else {
                    keyspace.merge(e.db(), e.key(), (KeyDelta) deltas.get(i));
                }
            }
            return null;
        }, worker).thenCompose(v -> keyspace.durable());
    }

    /** The envelope that carries a local FLUSHDB/FLUSHALL's cut to a peer, in a batch like any delta. */
    static DeltaEnvelope envelope(FlushCut cut) {
        return new DeltaEnvelope(cut.fromDb(), KeySlot.of(FlushCut.ENVELOPE_KEY), FlushCut.ENVELOPE_KEY, cut.cut(),
                cut.encode(), Origin.LIVE);
    }

    /** Each envelope's {@link KeyDelta}, or its {@link FlushCut} when it carries one. */
    private List<Object> decode(List<DeltaEnvelope> batch) {
        List<Object> deltas = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            DeltaEnvelope e = batch.get(i);
            String which = "delta " + (i + 1) + " of " + batch.size() + " (db " + e.db() + ", slot " + e.slot() + ")";
            if (e.db() >= keyspace.databases()) {
                throw malformed(which + ": db is out of range (" + keyspace.databases() + " databases)");
            }
            int slot = KeySlot.of(e.key());
            if (slot != e.slot()) {
                throw malformed(which + ": its key hashes to slot " + slot);
            }
            try {
                deltas.add(FlushCut.is(e.delta()) ? FlushCut.decode(e.delta()) : KeyDelta.decode(e.delta()));
            } catch (StoreException ex) {
                throw malformed(which + ": " + ex.getMessage());
            }
        }
        return deltas;
    }

    private static DeltaRejection malformed(String message) {
        return new DeltaRejection("MALFORMED", message);
    }
}
