package io.hyperkv.server;

import static io.hyperkv.server.HintStoreTest.deltas;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;
import io.hyperkv.cluster.bus.BusConfig;
import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.DeltaHandler;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.store.Engine;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.RocksDbEngine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link HintedHandoff} on node A over a real RocksDB, replaying to node B over two real bus endpoints on loopback:
 * hints held while B is away reach it in order, in bounded batches, when it comes up; they leave A's store only after
 * B acknowledged them; they survive A's restart; the meters count them.
 */
class HintedHandoffTest {

    private static final String SECRET = "a cluster secret of some length";
    private static final BusConfig CONFIG = BusConfig.defaults().withTimings(200, 1_000, 4_000);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final NodeId A = new NodeId(0xA1);
    private static final NodeId B = new NodeId(0xB1);


    @TempDir
    Path dir;
    private Engine engine;
    private List<PeerAddress> peers;
    private final List<Endpoint> endpoints = new ArrayList<>();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private HintedHandoff hints;
    private final Vertx vertx = Vertx.vertx();

    @BeforeEach
    void setUp() throws IOException {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        peers = List.of(new PeerAddress("127.0.0.1", freePort()), new PeerAddress("127.0.0.1", freePort()));
    }

    @AfterEach
    void tearDown() {
        if (hints != null) {
            hints.close();
        }
        endpoints.forEach(Endpoint::stop);
        engine.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void hintsHeldWhileThePeerIsAwayReachItInOrderInBoundedBatchesWhenItComesUp() throws Exception {
        Endpoint a = endpoint(A, 0);
        hints = HintedHandoff.start(engine, HintStore.Bounds.DEFAULT, a.node, registry);
        assertThat(a.node.state(B)).isEqualTo(PeerState.DOWN);
        List<DeltaEnvelope> held = deltas(1, 1_500);
        for (int i = 0; i < held.size(); i += 100) {
            hints.hold(B, held.subList(i, i + 100));
        }
        assertThat(hints.pending(B)).isEqualTo(1_500);

        Endpoint b = endpoint(B, 1);
        await().atMost(TIMEOUT).until(() -> hints.pending(B) == 0);
        assertThat(b.received).containsExactlyElementsOf(held);
        assertThat(b.batchSizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(HintedHandoff.BATCH_HINTS))
                .hasSizeGreaterThanOrEqualTo(3);
        assertThat(counter("hyperkv.hints.stored")).isEqualTo(1_500);
        assertThat(counter("hyperkv.hints.delivered")).isEqualTo(1_500);
        assertThat(counter("hyperkv.hints.dropped")).isZero();
        assertThat(registry.get("hyperkv.hints.pending").tag("peer", B.hex()).gauge().value()).isZero();
    }

    @Test
    void aBatchLeavesTheStoreOnlyAfterThePeerAcknowledgedItAndOnlyOneIsInFlight() throws Exception {
        Endpoint b = withholdingPeerUp();
        hints.hold(B, deltas(1, 600));

        await().atMost(TIMEOUT).until(() -> b.batchSizes.size() == 1);
        // Several ticks pass: the unacknowledged batch is not followed by another, and nothing was deleted.
        await().during(Duration.ofMillis(2_500)).atMost(Duration.ofSeconds(5))
                .until(() -> b.batchSizes.size() == 1 && hints.pending(B) == 600);
        assertThat(b.batchSizes).containsExactly(HintedHandoff.BATCH_HINTS);

        b.holding.set(false);
        b.release();
        await().atMost(TIMEOUT).until(() -> hints.pending(B) == 0);
        assertThat(b.received).containsExactlyElementsOf(deltas(1, 600));
    }

    @Test
    void aHintThePeerCannotReadIsDroppedAloneAndTheOnesAfterItAreStillDelivered() throws Exception {
        Endpoint b = withholdingPeerUp();
        b.unreadable = e -> e.equals(HintStoreTest.delta(13));
        b.holding.set(false);
        hints.hold(B, deltas(1, 30));

        await().atMost(TIMEOUT).until(() -> hints.pending(B) == 0);
        List<DeltaEnvelope> expected = new ArrayList<>(deltas(1, 12));
        expected.addAll(deltas(14, 30));
        assertThat(b.received).containsExactlyElementsOf(expected);
        assertThat(counter("hyperkv.hints.dropped")).isEqualTo(1);
        assertThat(counter("hyperkv.hints.delivered")).isEqualTo(29);
    }

    @Test
    void hintsKeptAcrossARestartOfTheHoldingNodeAreDeliveredAfterIt() throws Exception {
        Endpoint a = endpoint(A, 0);
        hints = HintedHandoff.start(engine, HintStore.Bounds.DEFAULT, a.node, registry);
        hints.hold(B, deltas(1, 50));
        hints.close();
        a.stop();
        endpoints.clear();
        engine.close();

        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        Endpoint restarted = endpoint(A, 0);
        hints = HintedHandoff.start(engine, HintStore.Bounds.DEFAULT, restarted.node, new SimpleMeterRegistry());
        assertThat(hints.pending(B)).isEqualTo(50);
        hints.hold(B, deltas(51, 60));
        Endpoint b = endpoint(B, 1);
        await().atMost(TIMEOUT).until(() -> hints.pending(B) == 0);
        assertThat(b.received).containsExactlyElementsOf(deltas(1, 60));
    }

    @Test
    void flushHandsHintsToUpPeersWithinItsTimeoutAndReportsWhatIsLeft() throws Exception {
        Endpoint b = withholdingPeerUp();
        hints.hold(B, deltas(1, 10));
        hints.hold(new NodeId(0xDEAD), deltas(11, 12)); // not a member: never UP, not waited for

        assertThat(hints.flush(Duration.ofMillis(300))).isEqualTo(10);
        b.holding.set(false);
        b.release();
        assertThat(hints.flush(TIMEOUT)).isZero();
        assertThat(b.received).containsExactlyElementsOf(deltas(1, 10));
        assertThat(hints.pending(new NodeId(0xDEAD))).isEqualTo(2);
        assertThat(hints.pending(B)).isZero();
    }

    /** A handing off to B, which is UP and withholds its acks until released. */
    private Endpoint withholdingPeerUp() throws Exception {
        Endpoint a = endpoint(A, 0);
        Endpoint b = endpoint(B, 1);
        b.holding.set(true);
        hints = HintedHandoff.start(engine, HintStore.Bounds.DEFAULT, a.node, registry);
        await().atMost(TIMEOUT).until(() -> a.node.state(B) == PeerState.UP);
        return b;
    }

    private double counter(String name) {
        return registry.get(name).tag("peer", B.hex()).functionCounter().count();
    }

    private Endpoint endpoint(NodeId id, int index) throws Exception {
        Endpoint e = new Endpoint(vertx, id, peers.get(index), peers);
        endpoints.add(e);
        return e;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A started bus node whose delta handler records batches and, while {@code holding}, withholds its acks. */
    private static final class Endpoint {
        final BusNode node;
        final BusTransport transport;
        final List<DeltaEnvelope> received = new CopyOnWriteArrayList<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final AtomicBoolean holding = new AtomicBoolean();
        volatile Predicate<DeltaEnvelope> unreadable = e -> false;
        final List<CompletableFuture<Void>> unacked = new CopyOnWriteArrayList<>();

        Endpoint(Vertx vertx, NodeId id, PeerAddress address, List<PeerAddress> peers) throws Exception {
            transport = BusTransport.start(vertx, TIMEOUT);
            transport.listen("127.0.0.1", address.busPort(), TIMEOUT);
            node = new BusNode(CONFIG, new BusNode.Identity(id, address, 7000), SECRET, peers, 2,
                    new CurrentTopology(null), t -> { }, batch -> {
                        if (batch.stream().anyMatch(unreadable)) {
                            return CompletableFuture.failedFuture(new DeltaHandler.DeltaRejection("MALFORMED",
                                    "a delta of this batch does not decode"));
                        }
                        received.addAll(batch);
                        batchSizes.add(batch.size());
                        CompletableFuture<Void> ack = new CompletableFuture<>();
                        if (holding.get()) {
                            unacked.add(ack);
                        } else {
                            ack.complete(null);
                        }
                        return ack;
                    }, transport);
            transport.acceptor(node::accept);
            node.start();
        }

        void release() {
            unacked.forEach(f -> f.complete(null));
        }

        void stop() {
            node.stop().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            release();
            transport.close(TIMEOUT);
        }
    }
}
