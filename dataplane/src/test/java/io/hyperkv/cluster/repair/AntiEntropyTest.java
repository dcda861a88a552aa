package io.hyperkv.cluster.repair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.ClusterNode;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Placement;
import io.hyperkv.cluster.SlotSpan;
import io.hyperkv.cluster.SyncStatus;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.Transition;
import io.hyperkv.cluster.bus.PeerState;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.KeySlot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Anti-entropy between real keyspaces on RocksDB over a real bus on loopback. Replicas are written to separately
 * (nothing ships live deltas here), so only anti-entropy can make them converge; rounds run on request only (the
 * schedule is an hour), except in the topology test, which relies on the follow-up rounds.
 */
class AntiEntropyTest {

    /** Small batches and pages, so that a few hundred keys take several calls of each kind. */
    private static final AntiEntropy.Settings ON_REQUEST = new AntiEntropy.Settings(Duration.ofHours(1),
            Duration.ofHours(1), 7, 5, 100_000);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static void eachNode(Replicas.Replica r, String... command) {
        assertThat(r.redis.run(command)).as(String.join(" ", command)).doesNotStartWith("-");
    }

    @Test
    void twoDivergentReplicasConvergeInOneRoundTombstonesLastWriterAndCollectionsIncludedAndTheNextRoundFindsNothing()
            throws Exception {
        try (Replicas rs = Replicas.start(2, dir, ON_REQUEST)) {
            Replicas.Replica a = rs.get(0);
            Replicas.Replica b = rs.get(1);
            for (int i = 0; i < 300; i++) {
                eachNode(a, "SET", "a:" + i, "from a " + i);
            }
            eachNode(b, "SET", "b:only", "from b");
            eachNode(a, "SET", "both", "older");
            eachNode(a, "SET", "deleted", "a's value");
            // B's writes come after A's: B's clock has seen A's (else two writes in one millisecond order by HLC).
            b.ks.clock().observe(a.ks.stamp());
            eachNode(b, "SET", "both", "newer");
            eachNode(b, "SET", "deleted", "b's value");
            eachNode(b, "DEL", "deleted");
            eachNode(a, "SET", "expiring", "v", "EX", "1000");
            eachNode(a, "SADD", "set", "a1", "a2", "shared");
            eachNode(b, "SADD", "set", "b1", "shared");
            eachNode(a, "SREM", "set", "a2");
            eachNode(a, "HSET", "hash", "f1", "from a", "f2", "from a");
            eachNode(b, "HSET", "hash", "f3", "from b");
            eachNode(b, "ZADD", "zset", "1", "m1", "2", "m2");
            eachNode(a, "RPUSH", "list", "x", "y");
            b.ks.setString(3, bytes("in:db3"), bytes("x"), Encoding.RAW, 0);
            assertThat(a.digest()).isNotEqualTo(b.digest());

            RoundReport first = a.round();

            assertThat(first.problems()).isEmpty();
            assertThat(first.peers()).containsExactly(b.member.id.toString());
            assertThat(first.slotsDiffering()).isPositive();
            assertThat(first.keysRepaired()).isGreaterThanOrEqualTo(300 + 8);
            assertThat(a.digest()).isEqualTo(b.digest());
            for (Replicas.Replica r : rs.all()) {
                assertThat(r.redis.run("GET", "both")).isEqualTo("\"newer\"");
                assertThat(r.redis.run("EXISTS", "deleted")).isEqualTo(":0");
                assertThat(r.redis.run("GET", "a:299")).isEqualTo("\"from a 299\"");
                assertThat(r.redis.run("GET", "b:only")).isEqualTo("\"from b\"");
                assertThat(r.redis.run("TTL", "expiring")).matches(":(99\\d|1000)");
                assertThat(r.redis.run("SMEMBERS", "set")).contains("\"a1\"", "\"b1\"", "\"shared\"")
                        .doesNotContain("a2");
                assertThat(r.redis.run("SCARD", "set")).isEqualTo(":3");
                assertThat(r.redis.run("HLEN", "hash")).isEqualTo(":3");
                assertThat(r.redis.run("HGET", "hash", "f3")).isEqualTo("\"from b\"");
                assertThat(r.redis.run("ZRANGE", "zset", "0", "-1", "WITHSCORES"))
                        .isEqualTo("[\"m1\", \"1\", \"m2\", \"2\"]");
                assertThat(r.redis.run("LRANGE", "list", "0", "-1")).isEqualTo("[\"x\", \"y\"]");
                assertThat(r.redis.run("DBSIZE")).isEqualTo(":307");
            }
            assertThat(a.ks.read(3, bytes("in:db3")).payload()).isEqualTo(bytes("x"));
            assertThat(first.keysChangedHere()).as(first.toString()).isGreaterThanOrEqualTo(6);

            RoundReport second = a.round();
            assertThat(second.slotsDiffering()).isZero();
            assertThat(second.keysRepaired()).isZero();
            assertThat(second.outOfSync()).isZero();
            assertThat(a.ae.sync().inSync(KeySlot.of(bytes("both")))).isTrue();
            assertThat(a.ae.totals().keysRepaired()).isEqualTo(first.keysRepaired());
        }
    }

    @Test
    void aSlotOfManyPagesAndASetOfManyPartsBothDivergentConvergeInOneRoundInBoundedMessages() throws Exception {
        try (Replicas rs = Replicas.start(2, dir, ON_REQUEST)) {
            Replicas.Replica a = rs.get(0);
            Replicas.Replica b = rs.get(1);
            for (int i = 0; i < 300; i++) {
                eachNode(a, "SET", "{one-slot}:" + i, "a");
            }
            sadd(a, 0, 30_000);
            eachNode(a, "SREM", "big", member(100));
            b.ks.clock().observe(a.ks.stamp());
            for (int i = 250; i < 350; i++) {
                eachNode(b, "SET", "{one-slot}:" + i, "b");
            }
            sadd(b, 25_000, 35_000);
            eachNode(b, "SREM", "big", member(30_000));
            int setBytes = a.ks.capture(0, bytes("big")).encodedLength();
            assertThat(setBytes).isGreaterThan(10 * Replicas.ANSWER_BYTES); // many parts, each within one message

            RoundReport round = a.round();

            assertThat(round.problems()).isEmpty();
            assertThat(a.digest()).isEqualTo(b.digest());
            for (Replicas.Replica r : rs.all()) {
                assertThat(r.redis.run("SCARD", "big")).isEqualTo(":" + (35_000 - 2));
                assertThat(r.redis.run("SISMEMBER", "big", member(100))).isEqualTo(":0");
                assertThat(r.redis.run("SISMEMBER", "big", member(30_000))).isEqualTo(":0");
                assertThat(r.redis.run("SISMEMBER", "big", member(34_999))).isEqualTo(":1");
                assertThat(r.redis.run("GET", "{one-slot}:299")).isEqualTo("\"b\"");
                assertThat(r.redis.run("GET", "{one-slot}:0")).isEqualTo("\"a\"");
                assertThat(r.redis.run("DBSIZE")).isEqualTo(":351");
                AntiEntropy.Totals t = r.ae.totals();
                // a message holds at most one part's rows, the part bound plus one row and the META beside it
                assertThat(t.largestMessageBytes()).as("largest message on " + r.member.id)
                        .isPositive().isLessThan(Replicas.ANSWER_BYTES + 4096);
            }
            assertThat(a.ae.totals().partsExchanged()).as(round.toString()).isGreaterThan(20);
            assertThat(round.keysCompared()).isGreaterThanOrEqualTo(350); // 70 pages of 5 on each side
            assertThat(a.round().slotsDiffering()).isZero();
        }
    }

    private static void sadd(Replicas.Replica r, int from, int to) {
        for (int i = from; i < to; i += 1000) {
            List<String> command = new java.util.ArrayList<>(List.of("SADD", "big"));
            for (int m = i; m < Math.min(to, i + 1000); m++) {
                command.add(member(m));
            }
            eachNode(r, command.toArray(String[]::new));
        }
    }

    private static String member(int i) {
        return String.format("m%05d", i);
    }

    @Test
    void threeDivergentReplicasConvergeAfterRoundsOnTwoOfThem() throws Exception {
        try (Replicas rs = Replicas.start(3, dir, ON_REQUEST)) {
            for (int n = 0; n < 3; n++) {
                Replicas.Replica r = rs.get(n);
                if (n > 0) {
                    r.ks.clock().observe(rs.get(n - 1).ks.stamp()); // node n writes after node n - 1
                }
                for (int i = 0; i < 50; i++) {
                    eachNode(r, "SET", "node" + n + ":" + i, "v" + i);
                }
                eachNode(r, "SET", "contended", "written by node " + n);
                eachNode(r, "SET", "doomed", "v");
            }
            eachNode(rs.get(2), "DEL", "doomed");

            rs.get(0).round();
            rs.get(1).round();

            String digest = rs.get(0).digest();
            for (Replicas.Replica r : rs.all()) {
                assertThat(r.digest()).isEqualTo(digest);
                assertThat(r.redis.run("DBSIZE")).isEqualTo(":151");
                assertThat(r.redis.run("GET", "contended")).isEqualTo("\"written by node 2\"");
                assertThat(r.redis.run("EXISTS", "doomed")).isEqualTo(":0");
            }
        }
    }

    @Test
    void slotsStartOutOfSyncAndAPeerBackFromDownPutsTheSharedSlotsOutOfSyncUntilTheNextRound() throws Exception {
        try (Replicas rs = Replicas.start(2, dir, ON_REQUEST)) {
            Replicas.Replica a = rs.get(0);
            NodeId b = rs.get(1).member.id;
            a.round();
            List<SlotSpan> owned = a.member.topology.get().orElseThrow().spansOwnedBy(a.member.id);
            assertThat(a.ae.sync().outOfSyncCount(owned)).isZero();
            assertThat(a.ae.sync().runs(owned)).singleElement().satisfies(run -> {
                assertThat(run.inSync()).isTrue();
                assertThat(run.lastRound()).isPresent();
            });

            a.ae.peerChanged(b, PeerState.DOWN, PeerState.UP);
            await().atMost(WAIT).until(() -> a.ae.sync().outOfSyncCount(owned) == Topology.SLOTS);
            SyncStatus status = a.ae.sync();
            assertThat(status.inSync(a.member.id, 0)).isFalse();

            RoundReport r = a.round();
            assertThat(r.outOfSync()).isZero();
            assertThat(status.inSync(a.member.id, 0)).isTrue();
            assertThat(status.inSync(b, 0)).as("another node's slots are never reported here").isFalse();
        }
    }

    /**
     * Epoch 2 takes N from 3 to 2: each node drops the third of the slots it lost. Epoch 3 is the first step of the
     * transition back to N=3 (every slot expanded to the union): each node streams the slots it gained from their
     * current owners, and reports them in sync after a round that took nothing.
     */
    @Test
    void aTopologyChangeDropsTheSlotsANodeLostAndStreamsTheSlotsItGainedBeforeTheyAreInSync() throws Exception {
        AntiEntropy.Settings quickRetry = new AntiEntropy.Settings(Duration.ofHours(1), Duration.ofMillis(200), 64,
                100, 100_000);
        try (Replicas rs = Replicas.start(3, dir, quickRetry)) {
            Replicas.Replica a = rs.get(0);
            for (int i = 0; i < 400; i++) {
                eachNode(a, "SET", "k" + i, "v" + i);
            }
            a.round();
            for (Replicas.Replica r : rs.all()) {
                assertThat(r.redis.run("DBSIZE")).isEqualTo(":400");
            }

            Topology one = a.member.topology.get().orElseThrow();
            List<ClusterNode> nodes = one.nodes();
            Topology two = Topology.of(2, 2, nodes, Placement.standard().assign(
                    nodes.stream().map(ClusterNode::id).toList(), 2));
            a.member.node.offerTopology(two).get();
            await().atMost(WAIT).untilAsserted(() -> {
                for (Replicas.Replica r : rs.all()) {
                    assertThat(r.member.topology.epoch()).isEqualTo(2);
                    for (int i = 0; i < 400; i++) {
                        byte[] key = bytes("k" + i);
                        assertThat(r.ks.capture(0, key) != null).as("k" + i + " on " + r.member.id)
                                .isEqualTo(two.owns(r.member.id, KeySlot.of(key)));
                    }
                }
            });

            Topology target = Placement.standard().topology(4, nodes, 3);
            Topology three = Transition.between(two, target).next(3, SyncStatus.ownersOf(two));
            assertThat(three.ownersOf(0)).hasSize(3);
            a.member.node.offerTopology(three).get();
            await().atMost(WAIT).untilAsserted(() -> {
                for (Replicas.Replica r : rs.all()) {
                    assertThat(r.member.topology.epoch()).isEqualTo(3);
                    assertThat(r.ae.sync().outOfSyncCount(three.spansOwnedBy(r.member.id))).isZero();
                    assertThat(r.redis.run("DBSIZE")).isEqualTo(":400");
                    assertThat(r.digest()).isEqualTo(a.digest());
                }
            });
            // Whichever node's round came first pulled the slots it gained and pushed back those the others gained.
            assertThat(rs.all().stream().mapToLong(r -> r.ae.totals().keysChangedHere()).sum()).isPositive();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
