package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.BusConfig;
import io.hyperkv.cluster.bus.BusNode;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.Delivery;
import io.hyperkv.cluster.bus.Origin;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.cluster.bus.PeerView;
import io.hyperkv.crdt.Stamp;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three bus endpoints in one JVM on loopback ports, over real sockets and the real {@link BusTransport}: they form a
 * mesh, bootstrap one topology, detect a stopped peer, refuse a wrong secret and garbage, gossip epochs, and deliver
 * delta batches in order with acks across a forced disconnect. Timings are shortened (heartbeat 200 ms, suspect
 * 1 s, down 4 s, since the test machine is shared and loaded); the rule is the same as with the defaults.
 */
class BusMeshTest {

    private static final String SECRET = "a cluster secret of some length";
    private static final BusConfig CONFIG = BusConfig.defaults().withTimings(200, 1_000, 4_000);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static Vertx vertx;

    private final List<Endpoint> endpoints = new ArrayList<>();
    private List<PeerAddress> peers;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @BeforeEach
    void threeNodes() throws Exception {
        peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add(new PeerAddress("127.0.0.1", freePort()));
        }
        for (int i = 0; i < 3; i++) {
            Endpoint e = new Endpoint(new NodeId(0x1000L + i), peers.get(i), SECRET, peers);
            endpoints.add(e);
            e.start();
        }
    }

    @AfterEach
    void stopAll() {
        for (Endpoint e : endpoints) {
            e.stop();
        }
    }

    @Test
    void threeNodesFormAMeshSeeEachOtherUpAndInstallTheSameEpochOneTopology() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (Endpoint e : endpoints) {
                List<PeerView> views = e.node.peers();
                assertThat(views).hasSize(2).allSatisfy(v -> {
                    assertThat(v.state()).isEqualTo(PeerState.UP);
                    assertThat(v.connected()).isTrue();
                });
                assertThat(views).extracting(v -> v.id().orElseThrow())
                        .containsExactlyInAnyOrderElementsOf(otherIds(e));
            }
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (Endpoint e : endpoints) {
                assertThat(e.topology.epoch()).isEqualTo(1);
                assertThat(e.topology.get().orElseThrow()).isEqualTo(endpoints.get(0).topology.get().orElseThrow());
                assertThat(e.persisted).hasValue(1);
            }
        });
        Topology t = endpoints.get(0).topology.get().orElseThrow();
        assertThat(t.nodes()).extracting(n -> n.id()).containsExactly(endpoints.get(0).id, endpoints.get(1).id,
                endpoints.get(2).id);
        assertThat(t.nodes()).extracting(n -> n.busPort())
                .containsExactlyInAnyOrderElementsOf(peers.stream().map(PeerAddress::busPort).toList());
        assertThat(t.replicationFactor()).isEqualTo(3);
    }

    @Test
    void aStoppedPeerBecomesSuspectThenDownWithinBoundsAndUpAgainWhenItReturns() throws Exception {
        awaitMeshUp();
        Endpoint a = endpoints.get(0);
        Endpoint c = endpoints.get(2);
        List<PeerState> seenByA = new CopyOnWriteArrayList<>();
        a.node.addListener(ev -> {
            if (ev.id().equals(java.util.Optional.of(c.id))) {
                seenByA.add(ev.to());
            }
        });
        long stoppedAt = System.nanoTime();
        c.stop();

        await().atMost(Duration.ofMillis(CONFIG.suspectAfterMillis() + 1_500))
                .until(() -> a.node.state(c.id) == PeerState.SUSPECT || a.node.state(c.id) == PeerState.DOWN);
        await().atMost(Duration.ofMillis(CONFIG.downAfterMillis() + 1_500))
                .until(() -> a.node.state(c.id) == PeerState.DOWN);
        long downAfter = (System.nanoTime() - stoppedAt) / 1_000_000;
        assertThat(downAfter).isGreaterThanOrEqualTo(CONFIG.downAfterMillis() - CONFIG.heartbeatMillis());
        // endsWith: on a loaded machine a heartbeat can be late before the stop, a SUSPECT that returned to UP
        assertThat(seenByA).endsWith(PeerState.SUSPECT, PeerState.DOWN);
        assertThat(endpoints.get(1).node.state(a.id)).isEqualTo(PeerState.UP);
        assertThat(a.node.send(c.id, List.of(delta(1))))
                .isInstanceOf(Delivery.Refused.class)
                .extracting(d -> ((Delivery.Refused) d).reason()).isEqualTo(Delivery.Reason.PEER_DOWN);

        Endpoint back = new Endpoint(c.id, c.address, SECRET, peers);
        endpoints.set(2, back);
        back.start();
        await().atMost(TIMEOUT).until(() -> a.node.state(c.id) == PeerState.UP);
        assertThat(seenByA).endsWith(PeerState.SUSPECT, PeerState.DOWN, PeerState.UP);
    }

    @Test
    void aNodeWithTheWrongSecretIsRefusedAndTheOthersCarryOn() throws Exception {
        awaitMeshUp();
        PeerAddress intruderAddress = new PeerAddress("127.0.0.1", freePort());
        Endpoint intruder = new Endpoint(new NodeId(0x9999L), intruderAddress, "not the cluster secret at all",
                List.of(peers.get(0), intruderAddress));
        endpoints.add(intruder);
        intruder.start();

        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            PeerView toA = intruder.node.peers().stream().filter(v -> v.address().equals(peers.get(0)))
                    .findFirst().orElseThrow();
            assertThat(toA.state()).isEqualTo(PeerState.DOWN);
            assertThat(toA.connected()).isFalse();
            assertThat(toA.id()).isEmpty();
        });
        assertThat(intruder.node.send(endpoints.get(0).id, List.of(delta(1))))
                .isInstanceOf(Delivery.Refused.class);
        for (Endpoint e : endpoints.subList(0, 3)) {
            assertThat(e.node.peers()).extracting(PeerView::state).containsOnly(PeerState.UP);
        }
    }

    @Test
    void garbageTruncatedAndOversizeFramesGetAnErrorAndACloseAndTheBusKeepsWorking() throws Exception {
        awaitMeshUp();
        int port = peers.get(0).busPort();
        assertThat(exchange(port, "GET foo\r\n")).contains("expected HKV.HELLO, got \"GET\"");
        assertThat(exchange(port, "*1\r\n$999999\r\n")).startsWith("*2\r\n$9\r\nHKV.ERROR\r\n")
                .contains("Protocol error: unauthenticated bulk length");
        assertThat(exchange(port, "*100\r\n")).contains("Protocol error: unauthenticated multibulk length");
        assertThat(exchange(port, "*7\r\n$9\r\nHKV.HELLO\r\n$1\r\n1\r\n$64\r\n" + "ab".repeat(32)
                + "\r\n$16\r\n0000000000000001\r\n$11\r\n127.0.0.1:1\r\n$1\r\n1\r\n$1\r\n0\r\n*2\r\n$8\r\nHKV.AUTH\r\n$2\r\n00\r\n"))
                .contains("HKV.CHALLENGE").contains("did not prove the cluster secret");
        // A truncated frame is not an error in itself: the connection waits, then the handshake timeout closes it.
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("*7\r\n$9\r\nHKV.HE".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout((int) CONFIG.handshakeTimeoutMillis() + 5_000);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
        awaitMeshUp();
        Endpoint b = endpoints.get(1);
        Delivery d = endpoints.get(0).node.send(b.id, List.of(delta(1)));
        assertThat(d).isInstanceOf(Delivery.Queued.class);
        ((Delivery.Queued) d).acked().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(b.received).containsExactly(delta(1));
    }

    @Test
    void aHigherEpochOfferedOnOneNodeSpreadsToAll() {
        awaitTopology(1);
        Topology next = endpoints.get(0).topology.get().orElseThrow().withEpoch(5);
        CurrentTopology.Offer offer = endpoints.get(1).node.offerTopology(next).join();
        assertThat(offer.outcome()).isEqualTo(CurrentTopology.Outcome.INSTALLED);
        awaitTopology(5);
        assertThat(endpoints).allSatisfy(e -> assertThat(e.persisted).hasValue(2));
        // A stale epoch offered later changes nothing anywhere.
        assertThat(endpoints.get(2).node.offerTopology(next.withEpoch(3)).join().outcome())
                .isEqualTo(CurrentTopology.Outcome.STALE);
    }

    @Test
    void deltaBatchesArriveInOrderAndAreAckedEvenAcrossAForcedDisconnect() throws Exception {
        awaitMeshUp();
        Endpoint a = endpoints.get(0);
        Endpoint b = endpoints.get(1);
        b.hold.set(true);
        int n = 40;
        List<CompletableFuture<Void>> acks = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Delivery d = a.node.send(b.id, List.of(delta(i), delta(1000 + i)));
            assertThat(d).isInstanceOf(Delivery.Queued.class);
            acks.add(((Delivery.Queued) d).acked());
        }
        await().atMost(TIMEOUT).until(() -> b.received.size() >= 2);
        assertThat(acks.get(0)).isNotDone();
        a.node.disconnect(b.id);
        await().atMost(TIMEOUT).until(() -> b.batches.get() >= 2); // the same first batch, sent again
        b.hold.set(false);
        b.releaseHeld();
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(20, java.util.concurrent.TimeUnit.SECONDS);

        List<DeltaEnvelope> firstSeen = new ArrayList<>(new LinkedHashSet<>(b.received));
        List<DeltaEnvelope> expected = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            expected.add(delta(i));
            expected.add(delta(1000 + i));
        }
        assertThat(firstSeen).containsExactlyElementsOf(expected);
        assertThat(b.received.size()).as("the first batch was delivered twice").isGreaterThan(expected.size());
        assertThat(a.node.peers()).filteredOn(v -> v.id().equals(java.util.Optional.of(b.id)))
                .singleElement().satisfies(v -> {
                    assertThat(v.queuedBytes()).isZero();
                    assertThat(v.inFlight()).isZero();
                });
    }

    @Test
    void aFullLinkQueueRefusesAtOnceInsteadOfGrowing() {
        stopAll();
        endpoints.clear();
        BusConfig tiny = CONFIG.withQueue(4_096, 2);
        for (int i = 0; i < 2; i++) {
            Endpoint e = new Endpoint(new NodeId(0x2000L + i), peers.get(i), SECRET, peers.subList(0, 2), tiny);
            endpoints.add(e);
            e.start();
        }
        Endpoint a = endpoints.get(0);
        Endpoint b = endpoints.get(1);
        await().atMost(TIMEOUT).until(() -> a.node.state(b.id) == PeerState.UP);
        b.hold.set(true);
        int queued = 0;
        Delivery last = null;
        for (int i = 0; i < 100; i++) {
            last = a.node.send(b.id, List.of(new DeltaEnvelope(0, 1, new byte[] {1}, new Stamp(i + 1, 1),
                    new byte[200], Origin.LIVE)));
            if (!(last instanceof Delivery.Queued)) {
                break;
            }
            queued++;
        }
        assertThat(last).isInstanceOf(Delivery.Refused.class);
        assertThat(((Delivery.Refused) last).reason()).isEqualTo(Delivery.Reason.OVERFLOW);
        assertThat(queued).isBetween(5, 20);
        assertThat(a.node.peers().get(0).queuedBytes()).isLessThanOrEqualTo(4_096);
        await().atMost(TIMEOUT).until(() -> b.batches.get() >= 1);
        assertThat(a.node.peers().get(0).inFlight()).isLessThanOrEqualTo(2);
        b.hold.set(false);
        b.releaseHeld();
        await().atMost(TIMEOUT).until(() -> a.node.peers().get(0).queuedBytes() == 0);
        assertThat(b.batches.get()).isEqualTo(queued);
    }

    @Test
    void aPeerThatStopsAcknowledgingDoesNotStallDeliveryToTheOthers() throws Exception {
        awaitMeshUp();
        Endpoint a = endpoints.get(0);
        Endpoint slow = endpoints.get(1);
        Endpoint fast = endpoints.get(2);
        slow.hold.set(true);
        List<CompletableFuture<Void>> toSlow = new ArrayList<>();
        List<CompletableFuture<Void>> toFast = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            if (a.node.send(slow.id, List.of(delta(i))) instanceof Delivery.Queued q) {
                toSlow.add(q.acked());
            }
            Delivery d = a.node.send(fast.id, List.of(delta(i)));
            assertThat(d).isInstanceOf(Delivery.Queued.class);
            toFast.add(((Delivery.Queued) d).acked());
        }
        CompletableFuture.allOf(toFast.toArray(CompletableFuture[]::new)).get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(fast.batches.get()).isEqualTo(200);
        assertThat(toSlow).hasSize(200).noneMatch(CompletableFuture::isDone);
        // handed on without waiting for each other, until the window (or the pending-apply bound) stops them
        assertThat(slow.batches.get()).isBetween(2, CONFIG.window());
        slow.hold.set(false);
        slow.releaseHeld();
        CompletableFuture.allOf(toSlow.toArray(CompletableFuture[]::new)).get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(slow.batches.get()).isEqualTo(200);
    }

    @Test
    void batchesOfOneLinkAreAppliedWithoutWaitingForEachOtherYetAcknowledgedInOrder() throws Exception {
        awaitMeshUp();
        Endpoint a = endpoints.get(0);
        Endpoint b = endpoints.get(1);
        b.hold.set(true);
        Delivery.Queued first = (Delivery.Queued) a.node.send(b.id, List.of(delta(1)));
        Delivery.Queued second = (Delivery.Queued) a.node.send(b.id, List.of(delta(2)));
        // the second batch reaches the handler while the first is still being applied (say, waiting for its fsync),
        // so one fsync can cover both
        await().atMost(TIMEOUT).until(() -> b.held.size() == 2);
        b.held.get(1).complete(null);
        // acknowledgements are cumulative: the second waits for the first
        await().during(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> !second.acked().isDone());
        assertThat(first.acked()).isNotDone();
        b.held.get(0).complete(null);
        first.acked().get(10, java.util.concurrent.TimeUnit.SECONDS);
        second.acked().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(b.received).extracting(DeltaEnvelope::stamp).containsExactly(delta(1).stamp(), delta(2).stamp());
    }

    @Test
    void registeredVerbsReachTheirHandlerAndUnknownOnesLeaveTheLinkUp() throws Exception {
        awaitMeshUp();
        Endpoint a = endpoints.get(0);
        Endpoint b = endpoints.get(1);
        List<String> answers = new CopyOnWriteArrayList<>();
        b.node.register("HKV.ECHO", (from, argv, reply) -> reply.accept(io.hyperkv.cluster.bus.BusFrames.encode(
                "HKV.ECHOED", from.hex(), new String(argv[1], StandardCharsets.UTF_8))));
        a.node.register("HKV.ECHOED", (from, argv, reply) -> answers.add(from.hex() + " "
                + new String(argv[1], StandardCharsets.UTF_8) + " " + new String(argv[2], StandardCharsets.UTF_8)));

        assertThat(a.node.sendFrame(b.id, io.hyperkv.cluster.bus.BusFrames.encode("HKV.FROM-THE-FUTURE", "x")))
                .isTrue();
        assertThat(a.node.sendFrame(b.id, io.hyperkv.cluster.bus.BusFrames.encode("HKV.ECHO", "hello"))).isTrue();
        await().atMost(TIMEOUT).until(() -> answers.size() == 1);
        assertThat(answers).containsExactly(b.id.hex() + " " + a.id.hex() + " hello");
        assertThat(a.node.sendFrame(new NodeId(0x7777L), io.hyperkv.cluster.bus.BusFrames.encode("HKV.ECHO", "x")))
                .isFalse();
        Delivery d = a.node.send(b.id, List.of(delta(3)));
        ((Delivery.Queued) d).acked().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(a.node.state(b.id)).isEqualTo(PeerState.UP);
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private void awaitMeshUp() {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            for (Endpoint e : endpoints) {
                assertThat(e.node.peers()).hasSize(2).extracting(PeerView::state).containsOnly(PeerState.UP);
            }
        });
    }

    private void awaitTopology(long epoch) {
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(endpoints)
                .allSatisfy(e -> assertThat(e.topology.epoch()).isEqualTo(epoch)));
    }

    private List<NodeId> otherIds(Endpoint self) {
        return endpoints.stream().filter(e -> e != self).map(e -> e.id).toList();
    }

    private static DeltaEnvelope delta(int i) {
        return new DeltaEnvelope(i % 16, i % 16384, ("key" + i).getBytes(StandardCharsets.UTF_8),
                new Stamp(i, 7), ("delta" + i).getBytes(StandardCharsets.UTF_8), Origin.LIVE);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Sends raw bytes to a bus port and reads until the node closes the connection. */
    private static String exchange(int port, String bytes) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** One bus node with an in-memory topology and a recording delta handler. */
    private static final class Endpoint {
        final NodeId id;
        final PeerAddress address;
        final CurrentTopology topology = new CurrentTopology(null);
        final AtomicInteger persisted = new AtomicInteger();
        final List<DeltaEnvelope> received = new CopyOnWriteArrayList<>();
        final AtomicInteger batches = new AtomicInteger();
        final AtomicBoolean hold = new AtomicBoolean();
        final List<CompletableFuture<Void>> held = Collections.synchronizedList(new ArrayList<>());
        final BusNode node;
        BusTransport transport;

        Endpoint(NodeId id, PeerAddress address, String secret, List<PeerAddress> peers) {
            this(id, address, secret, peers, CONFIG);
        }

        Endpoint(NodeId id, PeerAddress address, String secret, List<PeerAddress> peers, BusConfig config) {
            this.id = id;
            this.address = address;
            this.node = new BusNode(config, new BusNode.Identity(id, address, 7000 + (int) (id.value() % 1000)),
                    secret, peers, Math.min(3, peers.size()), topology, t -> persisted.incrementAndGet(),
                    batch -> {
                        received.addAll(batch);
                        batches.incrementAndGet();
                        if (hold.get()) {
                            CompletableFuture<Void> f = new CompletableFuture<>();
                            held.add(f);
                            return f;
                        }
                        return CompletableFuture.completedFuture(null);
                    }, transportFor());
        }

        private BusTransport transportFor() {
            try {
                transport = BusTransport.start(vertx, TIMEOUT);
                transport.listen("127.0.0.1", address.busPort(), TIMEOUT);
                return transport;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        void start() {
            transport.acceptor(node::accept);
            node.start();
        }

        void releaseHeld() {
            synchronized (held) {
                held.forEach(f -> f.complete(null));
                held.clear();
            }
        }

        void stop() {
            node.stop().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
            releaseHeld();
            transport.close(TIMEOUT);
        }
    }
}
