package io.hyperkv.server;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.Delivery;
import io.hyperkv.cluster.bus.DeltaHandler;
import io.hyperkv.cluster.bus.HintSink;
import io.hyperkv.cluster.bus.Origin;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.store.Engine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Hinted handoff (DESIGN.md section 5): the {@link HintSink} the replicator hands the deltas a peer could not take,
 * kept in a {@link HintStore} and replayed to the peer when it is UP again.
 *
 * <h2>Delivery</h2>
 * A peer's hints are replayed oldest first, in batches of at most {@link #BATCH_HINTS} hints and
 * {@link #BATCH_BYTES} bytes, as {@link Origin#HINT} deltas through {@link BusNode#send}, with one batch in flight per
 * peer: the next batch is read only after the peer acknowledged the previous one, and a batch is deleted from the
 * store only then. A refused or failed batch stays where it is and is tried again on the next trigger, except one the
 * peer refused for good ({@code MALFORMED}, {@code INVALID}: it cannot read it, and kept at the front it would block
 * every later hint): that batch is replayed one hint at a time until the unreadable hint is found, which is dropped
 * and counted (anti-entropy repairs its key), and whole batches resume after it (or after the batch's end).
 * Triggers: the peer becoming UP ({@link BusNode#addListener}), and a tick every {@link #TICK} while it is UP (which
 * also applies the age bound). Delivery is at least once; merging is idempotent, so a batch acknowledged twice is
 * harmless.
 *
 * <p>Threading: {@link #hold} and {@link #pending} run on the caller's thread (the store is synchronized; a hold is
 * one RocksDB write, never a wait on the peer). Everything else (reading batches, acks, ticks) runs on one
 * {@code hyperkv-hints} thread, which owns {@link #inFlight}, {@link #oneByOne} and {@link #replays}.
 */
public final class HintedHandoff implements HintSink, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(HintedHandoff.class);
    static final int BATCH_HINTS = 512;
    static final long BATCH_BYTES = 1024 * 1024;
    static final Duration TICK = Duration.ofSeconds(1);
    /** Refusal reasons that no retry can change: the peer cannot read the batch (bus or store decoding). */
    static final Set<String> UNREADABLE = Set.of("MALFORMED", "INVALID");

    /** A replay to one peer from its first batch until its queue is empty, for the operator's log line. */
    private record Replay(long startNanos, long deliveredBefore) {
    }

    private final HintStore store;
    private final BusNode bus;
    private final MeterRegistry registry;
    private final LongSupplier clock;
    private final ScheduledExecutorService worker;
    private final Set<NodeId> metered = ConcurrentHashMap.newKeySet();
    private final Set<NodeId> inFlight = new HashSet<>();
    /**
     * Peers that refused a batch for good, with the last sequence number of that batch: replayed one hint at a time
     * until the unreadable one is dropped or the batch's end is passed.
     */
    private final Map<NodeId, Long> oneByOne = new HashMap<>();
    private final Map<NodeId, Replay> replays = new HashMap<>();
    private volatile boolean closed;

    private HintedHandoff(HintStore store, BusNode bus, MeterRegistry registry, LongSupplier clock) {
        this.store = store;
        this.bus = bus;
        this.registry = registry;
        this.clock = clock;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyperkv-hints");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the hints kept in {@code engine} (from before a restart too), registers the meters, listens to
     * {@code bus} for peers coming UP and starts the tick.
     */
    public static HintedHandoff start(Engine engine, HintStore.Bounds bounds, BusNode bus, MeterRegistry registry) {
        return start(engine, bounds, bus, registry, System::currentTimeMillis);
    }

    static HintedHandoff start(Engine engine, HintStore.Bounds bounds, BusNode bus, MeterRegistry registry,
            LongSupplier clock) {
        HintStore store = HintStore.open(engine, bounds);
        HintedHandoff h = new HintedHandoff(store, bus, registry, clock);
        Gauge.builder("hyperkv.hints.bytes", store, HintStore::totalBytes)
                .description("Bytes of hints kept for all peers").register(registry);
        long recovered = 0;
        for (Map.Entry<NodeId, HintStore.Queue> e : store.queues().entrySet()) {
            h.meter(e.getKey());
            recovered += e.getValue().pending();
        }
        if (recovered > 0) {
            LOG.infof("%d hint(s) kept from before the restart for %d peer(s), %d bytes", recovered,
                    store.queues().size(), store.totalBytes());
        }
        bus.addListener(event -> {
            if (event.to() == PeerState.UP) {
                event.id().ifPresent(h::deliver);
            }
        });
        h.worker.scheduleWithFixedDelay(h::tick, TICK.toMillis(), TICK.toMillis(), TimeUnit.MILLISECONDS);
        return h;
    }

    @Override
    public void hold(NodeId peer, List<DeltaEnvelope> batch) {
        List<DeltaEnvelope> hints = new ArrayList<>(batch.size());
        for (DeltaEnvelope e : batch) {
            hints.add(e.origin() == Origin.HINT ? e
                    : new DeltaEnvelope(e.db(), e.slot(), e.key(), e.stamp(), e.delta(), Origin.HINT));
        }
        store.append(peer, hints, clock.getAsLong());
        meter(peer);
    }

    @Override
    public long pending(NodeId peer) {
        return store.pending(peer);
    }

    /** Starts replaying to {@code peer} unless a batch to it is in flight already. Callable from any thread. */
    void deliver(NodeId peer) {
        if (!closed) {
            worker.execute(() -> deliverNow(peer));
        }
    }

    private void deliverNow(NodeId peer) {
        if (closed || inFlight.contains(peer) || bus.state(peer) != PeerState.UP) {
            return;
        }
        List<HintStore.Hint> hints = store.peek(peer, oneByOne.containsKey(peer) ? 1 : BATCH_HINTS, BATCH_BYTES);
        if (hints.isEmpty()) {
            finished(peer);
            return;
        }
        List<DeltaEnvelope> batch = new ArrayList<>(hints.size());
        for (HintStore.Hint h : hints) {
            batch.add(h.envelope());
        }
        if (!(bus.send(peer, batch) instanceof Delivery.Queued queued)) {
            return; // refused (the link is full or went down): the next trigger tries again
        }
        inFlight.add(peer);
        replays.computeIfAbsent(peer, p -> new Replay(System.nanoTime(), store.queue(p).delivered()));
        queued.acked().whenCompleteAsync((ok, err) -> {
            inFlight.remove(peer);
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (err == null) {
                store.acknowledge(peer, hints);
                long last = hints.get(hints.size() - 1).seq();
                oneByOne.computeIfPresent(peer, (p, end) -> last >= end ? null : end);
                deliverNow(peer);
            } else if (cause instanceof DeltaHandler.DeltaRejection r && UNREADABLE.contains(r.reason())) {
                refusedForGood(peer, hints, r);
                deliverNow(peer);
            } else {
                LOG.debugf("a batch of %d hint(s) for node %s was not acknowledged: %s", hints.size(), peer, err);
            }
        }, worker);
    }

    /** A batch {@code peer} cannot read: narrow it down to the unreadable hint, which is dropped. */
    private void refusedForGood(NodeId peer, List<HintStore.Hint> hints, DeltaHandler.DeltaRejection r) {
        if (hints.size() > 1) {
            oneByOne.put(peer, hints.get(hints.size() - 1).seq());
            return;
        }
        oneByOne.remove(peer);
        store.discard(peer, hints);
        LOG.warnf("dropped a hint for node %s that it cannot read (%s: %s); anti-entropy repairs its key", peer,
                r.reason(), r.getMessage());
    }

    /** The queue of {@code peer} is empty: logs how the replay went, once per replay. */
    private void finished(NodeId peer) {
        Replay r = replays.remove(peer);
        if (r == null) {
            return;
        }
        long delivered = store.queue(peer).delivered() - r.deliveredBefore();
        long millis = Math.max(1, (System.nanoTime() - r.startNanos()) / 1_000_000);
        LOG.infof("handed off %d hint(s) to node %s in %d ms (%d/s)", delivered, peer, millis,
                delivered * 1000 / millis);
    }

    private void tick() {
        try {
            long expired = store.expire(clock.getAsLong());
            if (expired > 0) {
                LOG.warnf("dropped %d hint(s) older than %s; anti-entropy repairs what they carried", expired,
                        store.bounds().maxAge());
            }
            for (Map.Entry<NodeId, HintStore.Queue> e : store.queues().entrySet()) {
                if (e.getValue().pending() > 0 || replays.containsKey(e.getKey())) {
                    deliverNow(e.getKey());
                }
            }
        } catch (RuntimeException e) {
            // Keep the schedule alive: a failed tick (e.g. racing shutdown) must not end delivery.
            LOG.warnf("hint delivery tick failed: %s", e);
        }
    }

    /**
     * For a drain: replays to every UP peer until none of them has hints left or {@code timeout} passes; returns
     * the hints still kept for UP peers (hints for peers that are not UP stay kept for when they return).
     */
    public long flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = 0;
            for (Map.Entry<NodeId, HintStore.Queue> e : store.queues().entrySet()) {
                if (e.getValue().pending() > 0 && bus.state(e.getKey()) == PeerState.UP) {
                    left += e.getValue().pending();
                    deliver(e.getKey());
                }
            }
            if (left == 0 || System.nanoTime() >= deadline) {
                return left;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                return left;
            }
        }
    }

    /** Registers {@code peer}'s meters the first time it has hints. */
    private void meter(NodeId peer) {
        if (!metered.add(peer)) {
            return;
        }
        HintStore.Queue q = store.queue(peer);
        String tag = peer.hex();
        FunctionCounter.builder("hyperkv.hints.stored", q, HintStore.Queue::stored).tag("peer", tag)
                .description("Hints kept for a peer that could not take a delta").register(registry);
        FunctionCounter.builder("hyperkv.hints.delivered", q, HintStore.Queue::delivered).tag("peer", tag)
                .description("Hints a peer acknowledged (its rate is hints delivered per second)").register(registry);
        FunctionCounter.builder("hyperkv.hints.dropped", q, HintStore.Queue::dropped).tag("peer", tag)
                .description("Hints dropped by the size or age bound; anti-entropy repairs them").register(registry);
        Gauge.builder("hyperkv.hints.pending", q, HintStore.Queue::pending).tag("peer", tag)
                .description("Hints kept for a peer, not delivered yet").register(registry);
    }

    /** Stops the replays; the hints stay stored for the next start. Call before the store closes. */
    @Override
    public void close() {
        closed = true;
        worker.shutdownNow();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("the hint delivery thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
