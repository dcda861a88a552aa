package io.hyperkv.cluster.repair;

import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.bus.BusRpc;
import io.hyperkv.cluster.bus.LoopbackBus;
import io.hyperkv.command.CommandRunner;
import io.hyperkv.crdt.HybridLogicalClock;
import io.hyperkv.store.Engine;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.RocksDbEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Replicas for anti-entropy tests: real bus nodes on loopback ({@link LoopbackBus}), each with its own keyspace on
 * RocksDB in a directory of its own, the standard command table to write with, and a running {@link AntiEntropy}. The
 * keyspaces replicate (a no-op delta sink keeps their slot digests in memory, as in cluster mode) but nothing ships
 * live deltas: whatever one replica writes, only anti-entropy brings to the others.
 */
final class Replicas implements AutoCloseable {

    /** The bound of a state message between these replicas (the nodes use megabytes; small here to need parts). */
    static final int ANSWER_BYTES = 64 * 1024;

    /** One replica. */
    static final class Replica {
        final LoopbackBus.Member member;
        final Engine engine;
        final Keyspace ks;
        final CommandRunner redis;
        final AntiEntropy ae;

        Replica(LoopbackBus.Member member, Path dir, AntiEntropy.Settings settings, ExecutorService work) {
            this.member = member;
            this.engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
            this.ks = new Keyspace(engine, HybridLogicalClock.onSystemTime(member.id.value(), 0, hwm -> { }), 16,
                    System::currentTimeMillis);
            ks.deltaSink((db, key, slot, delta) -> { });
            this.redis = new CommandRunner(ks);
            StateExchange exchange = new StateExchange(new BusRpc(member.node, work), ks,
                    slot -> member.topology.get().map(t -> t.owns(member.id, slot)).orElse(false),
                    Duration.ofSeconds(10), ANSWER_BYTES);
            this.ae = new AntiEntropy(member.id, member.topology, ks, exchange, member.node, settings,
                    Clock.systemUTC());
        }

        /** Runs a round now and returns its report. */
        RoundReport round() throws Exception {
            return ae.requestRound().report().get(60, java.util.concurrent.TimeUnit.SECONDS);
        }

        String digest() {
            return HexFormat.of().formatHex(ks.digest());
        }
    }

    private final LoopbackBus bus;
    private final ExecutorService work = Executors.newFixedThreadPool(4);
    private final List<Replica> replicas = new ArrayList<>();

    private Replicas(LoopbackBus bus) {
        this.bus = bus;
    }

    /**
     * {@code n} replicas whose bus has formed (epoch 1, N = min(3, n)), anti-entropy started on each and its first
     * round (the one a node runs on its first topology) over.
     */
    static Replicas start(int n, Path dir, AntiEntropy.Settings settings) throws Exception {
        Replicas r = new Replicas(LoopbackBus.start(n).awaitMesh());
        try {
            for (LoopbackBus.Member m : r.bus.members()) {
                r.replicas.add(new Replica(m, dir.resolve(m.id.shortHex()), settings, r.work));
            }
            // Every replica serves the calls before any starts a round.
            r.replicas.forEach(replica -> replica.ae.start(replica.member.node));
            await().atMost(Duration.ofSeconds(30)).until(() -> r.replicas.stream()
                    .allMatch(replica -> replica.ae.lastRound().isPresent()));
            return r;
        } catch (Exception | Error e) {
            r.close();
            throw e;
        }
    }

    Replica get(int i) {
        return replicas.get(i);
    }

    List<Replica> all() {
        return List.copyOf(replicas);
    }

    @Override
    public void close() {
        replicas.forEach(r -> r.ae.close());
        bus.close();
        work.shutdownNow();
        replicas.forEach(r -> r.engine.close());
    }
}
