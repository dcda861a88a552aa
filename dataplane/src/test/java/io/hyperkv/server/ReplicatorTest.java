package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.Consistency;
import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.NodeState;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.Delivery;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.HintSink;
import io.hyperkv.cluster.bus.Origin;
import io.hyperkv.cluster.bus.PeerUnavailableException;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.KeySlot;
import io.hyperkv.store.Metadata;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The replicator's scope and W arithmetic against a recording sender: what a command commits leaves as one batch per
 * other owner when its scope closes, a change outside any scope leaves at once, refused and failed batches become
 * hints, and the quorum future says met / not met with the right counts, at once when the answer is known and at the
 * bound otherwise.
 */
class ReplicatorTest {

    private static final NodeId A = new NodeId(1);
    private static final NodeId B = new NodeId(2);
    private static final NodeId C = new NodeId(3);

    /** Sends nothing: keeps every batch with the future the test completes. */
    private static final class Recorder implements Replicator.Sender, HintSink {
        final Map<NodeId, List<List<DeltaEnvelope>>> sent = new LinkedHashMap<>();
        final Map<NodeId, List<CompletableFuture<Void>>> acks = new LinkedHashMap<>();
        final Map<NodeId, List<DeltaEnvelope>> hints = new LinkedHashMap<>();
        NodeId refuse;

        @Override
        public Delivery send(NodeId peer, List<DeltaEnvelope> batch) {
            if (peer.equals(refuse)) {
                return new Delivery.Refused(Delivery.Reason.PEER_DOWN, "down");
            }
            sent.computeIfAbsent(peer, p -> new ArrayList<>()).add(batch);
            CompletableFuture<Void> ack = new CompletableFuture<>();
            acks.computeIfAbsent(peer, p -> new ArrayList<>()).add(ack);
            return new Delivery.Queued(sent.get(peer).size(), ack);
        }

        @Override
        public void hold(NodeId peer, List<DeltaEnvelope> batch) {
            hints.computeIfAbsent(peer, p -> new ArrayList<>()).addAll(batch);
        }

        @Override
        public long pending(NodeId peer) {
            return hints.getOrDefault(peer, List.of()).size();
        }
    }

    private final Recorder bus = new Recorder();
    private Topology topology;

    private Replicator replicator(Consistency w, Duration timeout, NodeId... members) {
        List<ClusterNode> nodes = new ArrayList<>();
        for (NodeId id : members) {
            nodes.add(new ClusterNode(id, "127.0.0.1", 7000 + (int) id.value(), 17000 + (int) id.value(),
                    NodeState.UP));
        }
        topology = Placement.standard().topology(1, nodes, Math.min(3, members.length));
        return new Replicator(A, new CurrentTopology(topology), bus, bus, w, timeout);
    }

    private static KeyDelta delta(String value) {
        return KeyDelta.of(Metadata.string(value.getBytes(StandardCharsets.UTF_8), Encoding.EMBSTR, 0,
                new Stamp(100, 1), 0, Stamp.ZERO));
    }

    private static void commit(Replicator r, String key, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        r.committed(0, k, KeySlot.of(k), delta(value));
    }

    /** One command writing one key, as the connection runs it: its scope, its commit, its shipping. */
    private static Acks oneWrite(Replicator r) {
        Replicator.Scope scope = r.open();
        commit(r, "k", "v");
        return scope.ship();
    }

    @Test
    void aCommandsChangesLeaveAsOneBatchPerOtherOwnerWhenItsScopeCloses() {
        Replicator r = replicator(Consistency.QUORUM, Duration.ofSeconds(5), A, B, C);
        Replicator.Scope scope = r.open();
        commit(r, "k1", "v1");
        commit(r, "k2", "v2");
        assertThat(bus.sent).as("nothing leaves before the scope closes").isEmpty();

        Acks acks = scope.ship();

        assertThat(bus.sent.keySet()).containsExactly(B, C);
        for (NodeId peer : List.of(B, C)) {
            List<List<DeltaEnvelope>> batches = bus.sent.get(peer);
            assertThat(batches).hasSize(1);
            assertThat(batches.get(0)).extracting(e -> new String(e.key(), StandardCharsets.UTF_8))
                    .containsExactly("k1", "k2");
            assertThat(batches.get(0)).allSatisfy(e -> {
                assertThat(e.origin()).isEqualTo(Origin.LIVE);
                assertThat(e.slot()).isEqualTo(KeySlot.of(e.key()));
                assertThat(KeyDelta.decode(e.delta()).meta().stamp()).isEqualTo(e.stamp());
            });
        }
        assertThat(acks.perPeer().keySet()).containsExactlyInAnyOrder(B, C);
        assertThat(scope.ship()).as("shipping twice ships nothing more").isSameAs(Acks.NONE);
        assertThat(bus.sent.get(B)).hasSize(1);
    }

    @Test
    void quorumIsMetByOnePeersAckSinceThisNodeCountsAsOne() {
        Replicator r = replicator(Consistency.QUORUM, Duration.ofSeconds(5), A, B, C);
        Acks acks = oneWrite(r);
        assertThat(acks.quorum()).isNotDone();

        bus.acks.get(C).get(0).complete(null);

        assertThat(acks.quorum()).isCompletedWithValue(new Acks.Outcome(true, 2, 2));
        assertThat(acks.perPeer().get(C)).isCompletedWithValue(true);
        assertThat(acks.perPeer().get(B)).isNotDone();
    }

    @Test
    void quorumFailsAsSoonAsTooManyPeersFailAndTheirBatchesBecomeHints() {
        Replicator r = replicator(Consistency.QUORUM, Duration.ofSeconds(5), A, B, C);
        bus.refuse = B;
        Acks acks = oneWrite(r);
        assertThat(bus.hints.get(B)).hasSize(1);
        assertThat(acks.quorum()).as("C may still answer").isNotDone();

        bus.acks.get(C).get(0).completeExceptionally(new PeerUnavailableException("gone"));

        assertThat(acks.quorum()).isCompletedWithValue(new Acks.Outcome(false, 1, 2));
        assertThat(bus.hints.get(C)).hasSize(1);
    }

    @Test
    void withoutAnswersTheQuorumFailsAtTheBound() {
        Replicator r = replicator(Consistency.ALL, Duration.ofMillis(100), A, B, C);
        Acks acks = oneWrite(r);
        bus.acks.get(B).get(0).complete(null);

        Acks.Outcome o = acks.quorum().orTimeout(5, TimeUnit.SECONDS).join();

        assertThat(o).isEqualTo(new Acks.Outcome(false, 2, 3));
    }

    @Test
    void writeConsistencyOneNeedsNoPeerSoTheReplyNeverWaits() {
        Replicator r = replicator(Consistency.ONE, Duration.ofSeconds(5), A, B, C);
        Acks acks = oneWrite(r);

        assertThat(acks.quorum()).isCompletedWithValue(new Acks.Outcome(true, 1, 1));
        assertThat(bus.sent.keySet()).as("the change is shipped all the same").containsExactly(B, C);
    }

    @Test
    void aChangeOutsideAnyScopeLeavesAtOnceAlone() {
        Replicator r = replicator(Consistency.QUORUM, Duration.ofSeconds(5), A, B, C);
        commit(r, "k1", "v");
        commit(r, "k2", "v");

        assertThat(bus.sent.get(B)).hasSize(2).allSatisfy(batch -> assertThat(batch).hasSize(1));
    }

    @Test
    void onlyTheSlotsOwnersOtherThanThisNodeAreSentAChange() {
        Replicator r = replicator(Consistency.QUORUM, Duration.ofSeconds(5), A, B, C, new NodeId(4), new NodeId(5));
        int expected = 0;
        for (int i = 0; i < 50; i++) {
            commit(r, "key" + i, "v");
            List<NodeId> owners = topology.ownersOf(KeySlot.of(("key" + i).getBytes(StandardCharsets.UTF_8)));
            expected += owners.contains(A) ? 2 : 3;
        }
        int sent = 0;
        for (Map.Entry<NodeId, List<List<DeltaEnvelope>>> e : bus.sent.entrySet()) {
            for (List<DeltaEnvelope> batch : e.getValue()) {
                assertThat(topology.ownersOf(batch.get(0).slot())).contains(e.getKey());
                sent++;
            }
        }
        assertThat(bus.sent).doesNotContainKey(A);
        assertThat(sent).isEqualTo(expected);
    }

    @Test
    void aFlushCutGoesToEveryNodeNotOnlyOwnersAndItsWIsOfTheWholeCluster() {
        Replicator r = replicator(Consistency.QUORUM, Duration.ofSeconds(5), A, B, C, new NodeId(4), new NodeId(5));
        Replicator.Scope scope = r.open();
        r.flushed(0, 16, new Stamp(500, 1));
        Acks acks = scope.ship();

        assertThat(bus.sent.keySet()).containsExactlyInAnyOrder(B, C, new NodeId(4), new NodeId(5));
        for (List<List<DeltaEnvelope>> batches : bus.sent.values()) {
            assertThat(batches).hasSize(1);
            assertThat(io.hyperkv.store.FlushCut.decode(batches.get(0).get(0).delta()))
                    .isEqualTo(new io.hyperkv.store.FlushCut(0, 16, new Stamp(500, 1)));
        }
        // quorum of five nodes: this one and two peers
        bus.acks.get(B).get(0).complete(null);
        assertThat(acks.quorum()).isNotDone();
        bus.acks.get(C).get(0).complete(null);
        assertThat(acks.quorum()).isCompletedWithValue(new Acks.Outcome(true, 3, 3));
    }

    @Test
    void scopesDoNotNest() {
        Replicator r = replicator(Consistency.QUORUM, Duration.ofSeconds(5), A, B, C);
        Replicator.Scope scope = r.open();
        assertThatThrownBy(r::open).isInstanceOf(IllegalStateException.class);
        scope.ship();
        r.open().ship();
    }
}
