package io.hyperkv.cluster.repair;

import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.SlotSpan;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.cluster.bus.PeerStates;
import io.hyperkv.store.KeySlot;
import io.hyperkv.store.Keyspace;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Anti-entropy (DESIGN.md section 5): this node's rounds of comparing its slots with their co-owners and exchanging
 * the state of the keys that differ, which also streams a slot to a new owner and catches a returning node up.
 *
 * <h2>A round</h2>
 * For each co-owner that is UP, over the slots both own under the topology in force: compare every database's slot
 * digests in one call ({@code AE.DIGESTS}); for each differing slot, compare the keys' state hashes ({@code AE.KEYS},
 * paged on both sides and walked in key order, {@link SlotRepair#diff}); for the differing keys, in batches as the
 * walk finds them, fetch the co-owner's full state and merge it here, wait for it to be durable, then send this node's
 * (now joined) state back for the co-owner to merge. A key too big for one message travels in parts
 * ({@link io.hyperkv.store.KeyDelta.Part}), so a round's memory and messages are bounded by pages, batches and the
 * message size, whatever the size of a slot or a key. After that both hold the join of
 * the two, tombstones included, so one round converges a quiet slot. Work per round is bounded by
 * {@link Settings#maxKeysPerRound()}: slots left over wait for the follow-up round, which comes after
 * {@link Settings#retry()} rather than a full interval.
 *
 * <h2>In sync</h2>
 * {@link SlotSync} records, per slot this node owns, whether a round compared it with every co-owner that was up and
 * merged nothing new here (this node lacked nothing). Owned slots start out of sync at start-up and when gained by a
 * topology change; a co-owner that returns from DOWN puts the slots shared with it out of sync until the next round.
 * A slot with no other owner is in sync once a round ran; one whose co-owners are all unreachable keeps its state.
 *
 * <h2>Ownership changes</h2>
 * Each tick looks at the topology in force. Slots this node does not own and that hold live keys (it stopped owning
 * them, or a crash came before their drop) are dropped from the store ({@link io.hyperkv.store.Keyspace#dropSlot})
 * once that topology is in force; slots it gains are out of sync and a round starts at once, pulling their data from
 * the current owners (the "sync" of {@link io.hyperkv.cluster.Transition}).
 *
 * <p>Threading: rounds, ticks and store work run on one daemon thread of this class; {@link #requestRound},
 * {@link #peerChanged} and the read methods may be called from any thread and never block.
 */
public final class AntiEntropy implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(AntiEntropy.class.getName());
    private static final long TICK_MILLIS = 250;
    private static final Duration PEER_UP_DELAY = Duration.ofMillis(500);
    /** Differing slots whose first key page a round asks for ahead of the slot it repairs (hides a call's latency). */
    private static final int PAGES_AHEAD = 16;

    /**
     * @param interval time between scheduled rounds (each jittered by up to a fifth either way)
     * @param retry delay of the follow-up round after one that left slots out of sync or failed
     * @param keysPerCall keys per fetch/merge call
     * @param keysPerPage key hashes per {@code AE.KEYS} page
     * @param maxKeysPerRound differing keys one round exchanges at most
     */
    public record Settings(Duration interval, Duration retry, int keysPerCall, int keysPerPage, long maxKeysPerRound) {

        public Settings {
            if (interval.isNegative() || interval.isZero() || retry.isNegative() || keysPerCall < 1
                    || keysPerPage < 1 || maxKeysPerRound < 1) {
                throw new IllegalArgumentException("anti-entropy settings must be positive");
            }
        }

        /** Every 30 s, follow-ups after 1 s, 256 keys per call, 1000 hashes per page, 100 000 keys per round. */
        public static Settings withInterval(Duration interval) {
            return new Settings(interval, Duration.ofSeconds(1), 256, 1000, 100_000);
        }
    }

    /** The totals since start, for metrics. */
    public record Totals(long rounds, long keysCompared, long keysRepaired, long keysChangedHere, int slotsDiffering,
            long partsExchanged, long largestMessageBytes) {
    }

    private final NodeId self;
    private final CurrentTopology topology;
    private final Keyspace store;
    private final StateExchange exchange;
    private final PeerStates peers;
    private final Settings settings;
    private final Clock clock;
    private final SlotSync sync;
    private final ScheduledExecutorService thread;
    private final Object lock = new Object();
    private final Map<Long, CompletableFuture<RoundReport>> waiters = new TreeMap<>();
    private final AtomicLong keysCompared = new AtomicLong();
    private final AtomicLong keysRepaired = new AtomicLong();
    private final AtomicLong keysChangedHere = new AtomicLong();
    private final AtomicLong partsExchanged = new AtomicLong();
    private volatile int slotsDiffering;
    private volatile RoundReport last;
    private long started; // guarded by lock
    private long nextRoundAt; // AE thread only
    private Topology seen; // AE thread only

    public AntiEntropy(NodeId self, CurrentTopology topology, Keyspace store, StateExchange exchange,
            PeerStates peers, Settings settings, Clock clock) {
        this.self = Objects.requireNonNull(self);
        this.topology = Objects.requireNonNull(topology);
        this.store = Objects.requireNonNull(store);
        this.exchange = Objects.requireNonNull(exchange);
        this.peers = Objects.requireNonNull(peers);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        this.sync = new SlotSync(self);
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hyperkv-anti-entropy");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts ticking; the first round runs as soon as a topology is in force. Follows {@code bus}'s peer events. */
    public AntiEntropy start(BusNode bus) {
        bus.addListener(e -> e.id().ifPresent(id -> peerChanged(id, e.from(), e.to())));
        thread.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return this;
    }

    public SlotSync sync() {
        return sync;
    }

    /** The last round's report, if a round ran. */
    public Optional<RoundReport> lastRound() {
        return Optional.ofNullable(last);
    }

    public Totals totals() {
        synchronized (lock) {
            return new Totals(started, keysCompared.get(), keysRepaired.get(), keysChangedHere.get(),
                    slotsDiffering, partsExchanged.get(), exchange.largestMessageBytes());
        }
    }

    /** A round asked for: its id, and its report once it ran. */
    public record Ticket(long round, CompletableFuture<RoundReport> report) {
    }

    /**
     * Asks for a round now (the admin API's repair). The round that serves it is the next one to start; a round
     * already running does not count, since it may have compared some slots before the request.
     */
    public Ticket requestRound() {
        CompletableFuture<RoundReport> f;
        long id;
        synchronized (lock) {
            id = started + 1;
            f = waiters.computeIfAbsent(id, k -> new CompletableFuture<>());
        }
        if (!onThread(this::tick)) {
            failWaiters("the node is stopping");
        }
        return new Ticket(id, f);
    }

    /** A peer's state changed (bus thread): one returning from DOWN puts the slots shared with it out of sync. */
    public void peerChanged(NodeId peer, PeerState from, PeerState to) {
        if (from == PeerState.DOWN && to == PeerState.UP) {
            onThread(() -> {
                topology.get().ifPresent(t -> sync.outOfSync(shared(t, peer)));
                nextRoundAt = Math.min(nextRoundAt, clock.millis() + PEER_UP_DELAY.toMillis());
            });
        }
    }

    /** Queues {@code task} on the AE thread; false once closed. */
    private boolean onThread(Runnable task) {
        try {
            thread.execute(task);
            return true;
        } catch (RejectedExecutionException closed) {
            return false;
        }
    }

    /**
     * Stops ticking and interrupts the round running, which stops at its next slot or call; returns once the thread
     * ended, so the store may close after it.
     */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                LOG.severe("anti-entropy did not stop within 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failWaiters("the node is stopping");
    }

    private void failWaiters(String why) {
        List<CompletableFuture<RoundReport>> failed;
        synchronized (lock) {
            failed = List.copyOf(waiters.values());
            waiters.clear();
        }
        failed.forEach(f -> f.completeExceptionally(new IllegalStateException(why)));
    }

    // -------------------------------------------------------------------------------------------- the AE thread

    private void tick() {
        try {
            Topology t = topology.get().orElse(null);
            if (t == null) {
                failWaiters("no topology is in force yet: this node does not know its co-owners");
                return;
            }
            if (t != seen) {
                follow(t);
            }
            boolean asked;
            synchronized (lock) {
                asked = !waiters.isEmpty();
            }
            if (asked || clock.millis() >= nextRoundAt) {
                round(t);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "anti-entropy tick failed", e);
        }
    }

    /** A new topology is in force: drop the slots lost, put the slots gained out of sync and round at once. */
    private void follow(Topology t) {
        BitSet now = owned(t, self);
        BitSet before = seen == null ? new BitSet() : owned(seen, self);
        BitSet lost = (BitSet) before.clone();
        lost.andNot(now);
        BitSet gained = (BitSet) now.clone();
        gained.andNot(before);
        // Every slot not owned that holds live keys: the ones just lost, and at start-up any a crash left behind.
        // Slots holding only tombstones are left to the tombstone collector: a drop costs a pass per database.
        int dropped = 0;
        for (int slot = now.nextClearBit(0); slot < Topology.SLOTS; slot = now.nextClearBit(slot + 1)) {
            if (Thread.currentThread().isInterrupted()) {
                return; // closing: the store is about to close; the drop resumes after a restart
            }
            if (holdsData(slot)) {
                store.dropSlot(slot);
                dropped++;
            }
        }
        sync.forget(lost);
        sync.outOfSync(gained);
        if (!lost.isEmpty() || !gained.isEmpty() || dropped > 0) {
            LOG.info("node " + self + " follows topology epoch " + t.epoch() + ": " + gained.cardinality()
                    + " slots gained (out of sync until a round pulls them), " + lost.cardinality() + " lost, "
                    + dropped + " not owned and holding keys dropped");
        }
        seen = t;
        nextRoundAt = Math.min(nextRoundAt, clock.millis());
    }

    private void round(Topology t) {
        long id;
        List<CompletableFuture<RoundReport>> served = new ArrayList<>();
        synchronized (lock) {
            id = ++started;
            waiters.entrySet().removeIf(e -> {
                if (e.getKey() <= started) {
                    served.add(e.getValue());
                    return true;
                }
                return false;
            });
        }
        RoundReport report = new Round(id, t).run();
        last = report;
        slotsDiffering = report.slotsDiffering();
        keysCompared.addAndGet(report.keysCompared());
        keysRepaired.addAndGet(report.keysRepaired());
        keysChangedHere.addAndGet(report.keysChangedHere());
        boolean again = report.outOfSync() > 0 && report.peersCompared() > 0 || !report.problems().isEmpty();
        long interval = settings.interval().toMillis();
        long jitter = ThreadLocalRandom.current().nextLong(-interval / 5, interval / 5 + 1);
        nextRoundAt = clock.millis() + (again ? settings.retry().toMillis() : interval + jitter);
        if (report.keysRepaired() > 0 || !report.problems().isEmpty()) {
            LOG.info(report.toString());
        }
        served.forEach(f -> f.complete(report));
    }

    /** One round's state, on the AE thread. */
    private final class Round {
        final long id;
        final Topology topology;
        final long startMillis = clock.millis();
        final BitSet owned;
        final BitSet compared = new BitSet(Topology.SLOTS);
        final BitSet differing = new BitSet(Topology.SLOTS);
        final BitSet changedHere = new BitSet(Topology.SLOTS);
        final BitSet unfinished = new BitSet(Topology.SLOTS);
        final List<String> peersCompared = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        long keysCompared;
        long keysRepaired;
        long keysChanged;

        Round(long id, Topology topology) {
            this.id = id;
            this.topology = topology;
            this.owned = owned(topology, self);
        }

        RoundReport run() {
            for (var node : topology.nodes()) {
                NodeId peer = node.id();
                if (peer.equals(self) || peers.state(peer) != PeerState.UP) {
                    continue;
                }
                BitSet shared = shared(topology, peer);
                if (shared.isEmpty()) {
                    continue;
                }
                try {
                    compareWith(peer, shared);
                    peersCompared.add(peer.toString());
                } catch (RuntimeException | ExecutionException | TimeoutException e) {
                    unfinished.or(shared);
                    Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
                    problems.add("node " + peer + ": " + cause.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    problems.add("interrupted");
                    break;
                }
            }
            long now = clock.millis();
            for (int slot = owned.nextSetBit(0); slot >= 0; slot = owned.nextSetBit(slot + 1)) {
                if (unfinished.get(slot)) {
                    continue; // unknown: keep what was known
                }
                if (changedHere.get(slot)) {
                    sync.repaired(slot, now);
                } else if (compared.get(slot) || topology.ownersOf(slot).size() == 1) {
                    sync.confirmed(slot, now);
                }
            }
            int outOfSync = sync.outOfSyncCount(topology.spansOwnedBy(self));
            return new RoundReport(id, topology.epoch(), Instant.ofEpochMilli(startMillis), now - startMillis,
                    List.copyOf(peersCompared), compared.cardinality(), differing.cardinality(), keysCompared,
                    keysRepaired, keysChanged, outOfSync, List.copyOf(problems));
        }

        /**
         * Compares the shared slots with {@code peer} database by database; the differing keys of many slots share
         * fetch and merge calls ({@link Settings#keysPerCall()} keys each).
         */
        void compareWith(NodeId peer, BitSet shared) throws ExecutionException, InterruptedException,
                TimeoutException {
            long[][] theirs = get(exchange.digests(peer));
            int dbs = Math.min(theirs.length, store.databases());
            for (int db = 0; db < dbs; db++) {
                SlotRepair repair = new SlotRepair(exchange, store, settings, peer, db);
                List<byte[]> pending = new ArrayList<>();
                int[] slots = differingSlots(shared, db, theirs[db]);
                for (int i = 0; i < slots.length; i++) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw new InterruptedException();
                    }
                    int slot = slots[i];
                    differing.set(slot);
                    if (keysRepaired + pending.size() >= settings.maxKeysPerRound()) {
                        unfinished.set(slot); // the follow-up round takes it
                        continue;
                    }
                    // the co-owner's first key page of the next slots is on its way while this one is repaired
                    for (int j = i; j < Math.min(slots.length, i + PAGES_AHEAD); j++) {
                        repair.ask(slots[j], theirs[db][slots[j]] == 0);
                    }
                    SlotRepair.Diff diff = repair.diff(slot, key -> {
                        pending.add(key);
                        if (pending.size() >= settings.keysPerCall()) {
                            exchangeBoth(repair, pending);
                        }
                        return keysRepaired + pending.size() < settings.maxKeysPerRound();
                    });
                    keysCompared += diff.keysCompared();
                    if (!diff.complete()) {
                        unfinished.set(slot); // the follow-up round takes the rest
                    }
                }
                exchangeBoth(repair, pending);
                partsExchanged.addAndGet(repair.parts());
            }
            compared.or(shared);
        }

        /** The slots of {@code shared} whose digest in {@code db} differs from the co-owner's {@code theirs}. */
        int[] differingSlots(BitSet shared, int db, long[] theirs) {
            return shared.stream().filter(slot -> store.slotDigest(db, slot) != theirs[slot]).toArray();
        }

        /** Exchanges {@code keys} both ways in calls of at most {@link Settings#keysPerCall()}; empties the list. */
        void exchangeBoth(SlotRepair repair, List<byte[]> keys) throws ExecutionException, InterruptedException,
                TimeoutException {
            for (int i = 0; i < keys.size(); i += settings.keysPerCall()) {
                List<byte[]> batch = keys.subList(i, Math.min(keys.size(), i + settings.keysPerCall()));
                for (byte[] key : repair.exchange(batch)) {
                    changedHere.set(KeySlot.of(key));
                    keysChanged++;
                }
                keysRepaired += batch.size();
            }
            keys.clear();
        }
    }

    /** Waits for a call; the call carries its own timeout, this bound only guards against a lost completion. */
    static <T> T get(CompletableFuture<T> f) throws ExecutionException, InterruptedException, TimeoutException {
        return f.get(5, TimeUnit.MINUTES);
    }

    /** Whether any database holds a live key in {@code slot}. */
    private boolean holdsData(int slot) {
        for (int db = 0; db < store.databases(); db++) {
            if (store.slotDigest(db, slot) != 0) {
                return true;
            }
        }
        return false;
    }

    private static BitSet owned(Topology t, NodeId node) {
        BitSet s = new BitSet(Topology.SLOTS);
        for (SlotSpan span : t.spansOwnedBy(node)) {
            s.set(span.first(), span.last() + 1);
        }
        return s;
    }

    private BitSet shared(Topology t, NodeId peer) {
        BitSet s = owned(t, self);
        s.and(owned(t, peer));
        return s;
    }
}
