package io.hyperkv.cluster.bus;

import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;
import io.hyperkv.server.BusTransport;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Real bus nodes in one JVM for tests: each has its own {@link BusTransport} listening on a free loopback port and a
 * {@link BusNode} with shortened timings (heartbeat 200 ms, suspect 1 s, down 4 s); they bootstrap a topology from
 * their static list (N = min(3, size)) as a real cluster does. Deltas are acknowledged and dropped. Close it to stop
 * every node and the Vert.x instance.
 */
public final class LoopbackBus implements AutoCloseable {

    public static final BusConfig CONFIG = BusConfig.defaults().withTimings(200, 1_000, 4_000);
    private static final String SECRET = "the loopback bus test secret";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    /** One node of the bus. */
    public static final class Member {
        public final NodeId id;
        public final PeerAddress address;
        public final CurrentTopology topology = new CurrentTopology(null);
        public final BusNode node;
        private final BusTransport transport;
        private boolean stopped;

        private Member(Vertx vertx, NodeId id, PeerAddress address, List<PeerAddress> peers) throws Exception {
            this.id = id;
            this.address = address;
            this.transport = BusTransport.start(vertx, TIMEOUT);
            transport.listen(address.host(), address.busPort(), TIMEOUT);
            this.node = new BusNode(CONFIG, new BusNode.Identity(id, address, 1), SECRET, peers,
                    Math.min(3, peers.size()), topology, t -> { }, batch -> CompletableFuture.completedFuture(null),
                    transport);
            transport.acceptor(node::accept);
        }

        /** Stops this node's links and listener (its peers see it go SUSPECT, then DOWN). */
        public void stop() {
            if (!stopped) {
                stopped = true;
                node.stop().orTimeout(10, TimeUnit.SECONDS).join();
                transport.close(TIMEOUT);
            }
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final List<Member> members = new ArrayList<>();

    /** Starts {@code n} nodes with ids {@code 0x100 + i} on free loopback ports. */
    public static LoopbackBus start(int n) throws Exception {
        LoopbackBus bus = new LoopbackBus();
        try {
            List<PeerAddress> peers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                peers.add(new PeerAddress("127.0.0.1", freePort()));
            }
            for (int i = 0; i < n; i++) {
                bus.members.add(new Member(bus.vertx, new NodeId(0x100L + i), peers.get(i), peers));
            }
            bus.members.forEach(m -> m.node.start());
            return bus;
        } catch (Exception | Error e) {
            bus.close();
            throw e;
        }
    }

    public Member member(int i) {
        return members.get(i);
    }

    public List<Member> members() {
        return List.copyOf(members);
    }

    /** Waits until every node sees every other UP over its own link and all have the same topology. */
    public LoopbackBus awaitMesh() {
        await().atMost(TIMEOUT).until(() -> members.stream().allMatch(m -> m.topology.epoch() > 0
                && members.stream().allMatch(o -> o == m || m.node.state(o.id) == PeerState.UP)));
        return this;
    }

    @Override
    public void close() {
        members.forEach(Member::stop);
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
