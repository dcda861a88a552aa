package io.hyperkv.store;

import static io.hyperkv.store.ReplicaSet.b;
import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Bytes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Strings, counters, expiry and tombstones replicate: three keyspaces on their own RocksDB directories exchange the
 * deltas their sinks received, through the wire codec, shuffled and duplicated, and end equal (values and digests).
 */
class KeyspaceReplicationTest {

    @TempDir
    Path dir;

    private ReplicaSet net;
    private final Random random = new Random(42);

    @BeforeEach
    void open() throws Exception {
        net = new ReplicaSet(dir, 3);
    }

    @AfterEach
    void close() {
        net.close();
    }

    private ReplicaSet.Replica n(int i) {
        return net.get(i);
    }

    private void assertConverged(String... keys) {
        List<String> digests = net.digests();
        assertThat(digests).as("digests").containsOnly(digests.get(0));
        List<List<String>> values = net.values(keys);
        assertThat(values).as("values").containsOnly(values.get(0));
    }

    @Test
    void concurrentSetsConvergeOnTheGreatestStamp() {
        n(0).set("k", "a");
        n(1).set("k", "b");
        net.time.advance(1);
        n(2).set("k", "c");
        net.deliverAll(random);
        assertConverged("k");
        assertThat(n(0).get("k")).isEqualTo("STRING:c");
        assertThat(n(0).ks.digest()).isNotEqualTo(new byte[20]);
    }

    @Test
    void concurrentIncrementsOnDifferentNodesAddUp() {
        n(0).incrBy("c", 5);
        n(1).incrBy("c", 7);
        n(2).incrBy("c", -2);
        n(0).incrBy("c", 1);
        net.deliverAll(random);
        assertConverged("c");
        assertThat(n(1).get("c")).isEqualTo("STRING:11");
        // and again on top of the merged value, after a partial exchange
        n(1).incrBy("c", 100);
        n(2).incrBy("c", 1000);
        net.deliverAll(random);
        assertConverged("c");
        assertThat(n(0).get("c")).isEqualTo("STRING:1111");
    }

    @Test
    void aSetResetsTheBaseAndDropsIncrementsAgainstAnOlderBase() {
        n(0).incrBy("c", 5);
        net.deliverAll(random);
        net.time.advance(1);
        n(0).incrBy("c", 1);   // against the base "never set"
        n(1).set("c", "100");  // a newer base
        net.deliverAll(random);
        assertConverged("c");
        assertThat(n(2).get("c")).isEqualTo("STRING:100");
        n(2).incrBy("c", 1);
        n(0).incrBy("c", 2);
        net.deliverAll(random);
        assertConverged("c");
        assertThat(n(1).get("c")).isEqualTo("STRING:103");
    }

    @Test
    void aNodeThatLostItsLastIncrementsInACrashCountsOnWithoutReplacingWhatItsPeersHold() throws Exception {
        n(0).incrBy("c", 5);
        net.deliverAll(random);
        // node 1 comes back on an empty store (its last writes were never fsynced), its clock restored above them
        net.time.advance(10);
        long floor = n(0).ks.readStored(0, b("c")).stamp().time() + 1;
        TestClock base = new TestClock(net.time, 1);
        io.hyperkv.crdt.Clock restarted = new io.hyperkv.crdt.Clock() {
            @Override
            public io.hyperkv.crdt.Stamp next() {
                return base.next();
            }

            @Override
            public void observe(io.hyperkv.crdt.Stamp remote) {
                base.observe(remote);
            }

            @Override
            public long nodeId() {
                return 1;
            }

            @Override
            public long restartFloor() {
                return floor;
            }
        };
        try (Engine engine = RocksDbEngine.open(EngineOptions.of(dir.resolve("lost"), Fsync.NO))) {
            Keyspace lost = new Keyspace(engine, restarted, 16, net.time);
            List<KeyDelta> out = new java.util.ArrayList<>();
            lost.deltaSink((db, key, slot, delta) -> out.add(delta));
            lost.increment(0, b("c"), null, 1, 1);
            assertThat(n(1).ks.merge(0, b("c"), KeyDelta.decode(out.get(0).encode()))).isTrue();
            assertThat(n(1).get("c")).isEqualTo("STRING:6");
            assertThat(lost.merge(0, b("c"), n(1).ks.capture(0, b("c")))).isTrue();
            assertThat(new String(lost.read(0, b("c")).payload())).isEqualTo("6");
        }
    }

    @Test
    void anAppendIsAnAssignment() {
        n(0).incrBy("c", 5);
        net.deliverAll(random);
        net.time.advance(1);
        n(1).append("c", "x");
        net.deliverAll(random);
        assertConverged("c");
        assertThat(n(0).get("c")).isEqualTo("STRING:5x");
    }

    @Test
    void deleteAgainstAConcurrentSetIsDecidedByStamp() {
        n(0).set("k", "v1");
        net.deliverAll(random);
        net.time.advance(1);
        n(1).ks.delete(0, b("k"));
        net.time.advance(1);
        n(2).set("k", "v2");   // later than the delete: wins
        n(0).set("j", "1");
        net.deliverAll(random);
        net.time.advance(1);
        n(0).set("j", "2");
        net.time.advance(1);
        n(1).ks.delete(0, b("j")); // later than the set: wins
        net.deliverAll(random);
        assertConverged("k", "j");
        assertThat(n(0).get("k")).isEqualTo("STRING:v2");
        assertThat(n(2).get("j")).isNull();
        for (int i = 0; i < 3; i++) {
            assertThat(n(i).ks.readStored(0, b("j")).tombstone()).isTrue();
            assertThat(n(i).ks.size(0)).isEqualTo(1);
        }
    }

    @Test
    void aLateDeltaOlderThanADeletionDoesNotResurrectTheKey() {
        n(0).set("k", "v1");
        net.time.advance(1);
        n(1).set("k", "v0");
        n(1).ks.delete(0, b("k"));
        net.deliverAll(random);
        assertConverged("k");
        assertThat(n(0).get("k")).isNull();
        // delivered again, as hints or a retry would
        KeyDelta old = KeyDelta.decode(n(0).sent.get(0).delta());
        assertThat(n(2).ks.merge(0, b("k"), old)).isFalse();
        assertThat(n(2).get("k")).isNull();
    }

    @Test
    void incrementsAfterADeleteCountAgainstTheTombstoneOnEveryNode() {
        n(0).incrBy("c", 10);
        net.deliverAll(random);
        n(1).ks.delete(0, b("c"));
        net.deliverAll(random);
        n(0).incrBy("c", 1);
        n(2).incrBy("c", 2);
        net.deliverAll(random);
        assertConverged("c");
        assertThat(n(1).get("c")).isEqualTo("STRING:3");
    }

    @Test
    void expiryIsLastWriterWinsOnItsOwnStampAndASetClearsIt() {
        long deadline = net.time.getAsLong() + 60_000;
        n(0).set("k", "v");
        net.deliverAll(random);
        net.time.advance(1);
        n(1).ks.setExpiry(0, b("k"), deadline);
        net.time.advance(1);
        n(2).ks.setExpiry(0, b("k"), 0); // PERSIST, later
        net.deliverAll(random);
        assertConverged("k");
        assertThat(n(0).ks.read(0, b("k")).expireAt()).isZero();

        n(0).ks.setExpiry(0, b("k"), deadline);
        net.time.advance(1);
        n(1).set("k", "w"); // a later SET without KEEPTTL clears a concurrent older EXPIRE
        net.deliverAll(random);
        assertConverged("k");
        for (int i = 0; i < 3; i++) {
            assertThat(n(i).ks.read(0, b("k")).expireAt()).isZero();
            assertThat(n(i).ks.expiresCount(0)).isZero();
        }
    }

    @Test
    void anExpiredKeyLeavesTheSameTombstoneEverywhereAndStaysDeadAgainstItsOwnLateDeltas() {
        n(0).ks.setString(0, b("k"), b("v"), Encoding.RAW, net.time.getAsLong() + 1000);
        List<ReplicaSet.InFlight> late = List.copyOf(net.queues.get(2));
        net.deliverAll(random);
        net.time.advance(1001);
        for (int i = 0; i < 3; i++) {
            assertThat(n(i).ks.runCycle()).isEqualTo(1);
            assertThat(n(i).ks.size(0)).isZero();
        }
        assertThat(n(0).ks.readStored(0, b("k"))).isEqualTo(n(1).ks.readStored(0, b("k")));
        assertThat(n(2).ks.merge(0, b("k"), KeyDelta.decode(late.get(0).delta()))).isFalse();
        assertThat(n(2).get("k")).isNull();
        assertConverged("k");
    }

    @Test
    void tombstonesAreInvisibleToEveryReadCounterAndScan() {
        ReplicaSet.Replica r = n(0);
        r.set("gone", "x");
        r.set("kept", "y");
        r.ks.delete(0, b("gone"));
        Keyspace ks = r.ks;
        assertThat(ks.readStored(0, b("gone")).tombstone()).isTrue();
        assertThat(ks.read(0, b("gone"))).isNull();
        assertThat(ks.exists(0, b("gone"))).isFalse();
        assertThat(ks.size(0)).isEqualTo(1);
        assertThat(ks.tombstoneCount(0)).isEqualTo(1);
        assertThat(ks.keys(0, null)).extracting(String::new).containsExactly("kept");
        assertThat(ks.scan(0, 0, 100, null, null).keys()).extracting(String::new).containsExactly("kept");
        assertThat(ks.keyRange(0, new byte[0], null, -1)).extracting(e -> new String(e.key())).containsExactly("kept");
        for (int i = 0; i < 50; i++) {
            assertThat(new String(ks.randomKey(0))).isEqualTo("kept");
        }
        int slot = KeySlot.of(b("gone"));
        assertThat(ks.countInSlot(0, slot)).isZero();
        assertThat(ks.keysInSlot(0, slot, 10)).isEmpty();
        assertThat(ks.keyHashes(0, slot)).isEmpty();
        assertThat(ks.slotDigest(0, slot)).isZero();
        assertThat(ks.delete(0, b("gone"))).isFalse();
        // a new value over the tombstone is a key again
        r.set("gone", "back");
        assertThat(ks.size(0)).isEqualTo(2);
        assertThat(ks.tombstoneCount(0)).isZero();
        assertThat(ks.keysInSlot(0, slot, 10)).extracting(String::new).containsExactly("gone");
        // the counting pass at start-up agrees
        r.ks.delete(0, b("kept"));
        r.restart();
        assertThat(r.ks.size(0)).isEqualTo(1);
        assertThat(r.ks.tombstoneCount(0)).isEqualTo(1);
        assertThat(r.ks.keys(0, null)).extracting(String::new).containsExactly("gone");
    }

    @Test
    void tombstonesAreCollectedAfterTheGracePeriod() {
        Keyspace ks = n(0).ks;
        ks.tombstoneGrace(Duration.ofSeconds(10));
        n(0).set("k", "v");
        ks.delete(0, b("k"));
        net.time.advance(9_000);
        ks.runCycle();
        assertThat(ks.readStored(0, b("k"))).isNotNull();
        net.time.advance(1_001);
        ks.runCycle();
        assertThat(ks.readStored(0, b("k"))).isNull();
        assertThat(ks.tombstoneCount(0)).isZero();
        assertThat(ks.stats().tombstonesCollected()).isEqualTo(1);
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.EXPIRE, KeyCodec.dbStart(0), KeyCodec.dbEnd(0))) {
            assertThat(c.valid()).as("no index entry left").isFalse();
        }
    }

    @Test
    void mergesAreIdempotentAndNotReportedToTheSink() {
        n(0).set("k", "v");
        n(0).incrBy("c", 3);
        ReplicaSet.InFlight f = net.queues.get(1).get(0);
        assertThat(n(1).ks.merge(0, f.key(), KeyDelta.decode(f.delta()))).isTrue();
        assertThat(n(1).ks.merge(0, f.key(), KeyDelta.decode(f.delta()))).isFalse();
        assertThat(n(1).sent).isEmpty();
        assertThat(n(1).ks.clock().next().time()).isGreaterThan(n(0).ks.readStored(0, b("k")).stamp().time());
    }

    @Test
    void aCaptureCarriesTheWholeStateTombstonesIncluded() {
        n(0).incrBy("c", 3);
        n(1).incrBy("c", 4);
        net.deliverAll(random);
        n(0).ks.delete(0, b("k0"));
        n(0).set("k1", "x");
        n(0).ks.delete(0, b("k1"));
        assertThat(n(0).ks.capture(0, b("k0"))).isNull();
        KeyDelta tomb = n(0).ks.capture(0, b("k1"));
        assertThat(tomb.full()).isTrue();
        assertThat(tomb.meta().tombstone()).isTrue();
        // a replica that missed everything catches up from captures alone
        net.queues.get(2).clear();
        n(1).set("k1", "older");
        ReplicaSet.Replica fresh = n(2);
        for (String k : new String[] {"c", "k1"}) {
            fresh.ks.merge(0, b(k), KeyDelta.decode(n(0).ks.capture(0, b(k)).encode()));
            n(1).ks.merge(0, b(k), n(0).ks.capture(0, b(k)));
        }
        assertThat(fresh.get("c")).isEqualTo("STRING:7");
        assertThat(fresh.get("k1")).isNull();
        assertThat(n(1).get("k1")).isNull();
        assertThat(net.digests()).containsOnly(net.digests().get(0));
    }

    @Test
    void aTypeConflictIsWonWholeByTheGreaterStamp() {
        HashStore hashes = new HashStore(n(0).ks);
        Map<Bytes, Bytes> pairs = new LinkedHashMap<>();
        pairs.put(Bytes.of(b("f")), Bytes.of(b("v")));
        try (KeyLocks.Held ignored = n(0).ks.lock(0, b("h"))) {
            hashes.put(0, b("h"), null, pairs, 1);
        }
        Metadata hash = n(0).ks.read(0, b("h"));
        net.queues.get(1).clear();
        net.time.advance(1);
        n(1).set("h", "string-later");
        n(1).set("s", "string-earlier");
        net.time.advance(1);
        try (KeyLocks.Held ignored = n(0).ks.lock(0, b("s"))) {
            hashes.put(0, b("s"), null, pairs, 1);
        }
        Metadata laterHash = n(0).ks.read(0, b("s"));
        // n0 receives n1's strings: the later one replaces its hash, the earlier one loses to its hash
        ReplicaSet.InFlight h = net.queues.get(0).get(0);
        ReplicaSet.InFlight s = net.queues.get(0).get(1);
        assertThat(n(0).ks.merge(0, h.key(), KeyDelta.decode(h.delta()))).isTrue();
        // (the string's "no expiry" at its stamp still joins into the expiry field, which changes nothing visible)
        n(0).ks.merge(0, s.key(), KeyDelta.decode(s.delta()));
        assertThat(n(0).get("h")).isEqualTo("STRING:string-later");
        Metadata kept = n(0).ks.read(0, b("s"));
        assertThat(kept.type()).isEqualTo(ValueType.HASH);
        assertThat(kept.stamp()).isEqualTo(laterHash.stamp());
        assertThat(kept.version()).isEqualTo(laterHash.version());
        assertThat(kept.expireAt()).isZero();
        try (Engine.Cursor c = n(0).ks.engine().iterate(ColumnFamily.SUB,
                KeyCodec.subPrefix(0, b("h"), hash.version()), KeyCodec.prefixEnd(KeyCodec.subPrefix(0, b("h"), hash.version())))) {
            assertThat(c.valid()).as("the losing hash's rows are gone").isFalse();
        }
        // and n1, receiving the hash written before its string, keeps the string
        assertThat(n(1).ks.merge(0, b("h"), KeyDelta.of(hash))).isFalse();
    }

    @Test
    void aDeletedSetKeepsTheMembersItsDeleterHadNotSeenAndCapturesCatchUpAFreshReplica() {
        n(0).sadd("s", "a");
        n(0).sadd("s", "b");
        net.deliverAll(random);
        net.time.advance(1);
        n(1).ks.delete(0, b("s"));   // has seen a and b
        n(2).sadd("s", "c");         // concurrently: not seen by the delete
        net.deliverAll(random);
        assertConverged("s");
        assertThat(n(0).get("s")).isEqualTo("SET:[c]");
        assertThat(n(0).ks.size(0)).isEqualTo(1);

        n(0).ks.setExpiry(0, b("s"), net.time.getAsLong() + 60_000);
        net.deliverAll(random);
        assertConverged("s");
        assertThat(n(2).ks.read(0, b("s")).expireAt()).isEqualTo(net.time.getAsLong() + 60_000);

        // a string written later wins the key whole, on every replica
        net.time.advance(1);
        n(1).set("s", "now a string");
        net.deliverAll(random);
        assertConverged("s");
        assertThat(n(2).get("s")).isEqualTo("STRING:now a string");
    }

    @Test
    void aCapturedSetRebuildsOnAReplicaThatHadNothing() {
        n(0).sadd("s", "a");
        n(0).sadd("s", "b");
        n(0).srem("s", "a");
        net.queues.forEach(List::clear);
        KeyDelta full = n(0).ks.capture(0, b("s"));
        assertThat(full.full()).isTrue();
        assertThat(n(1).ks.merge(0, b("s"), KeyDelta.decode(full.encode()))).isTrue();
        assertThat(n(1).ks.merge(0, b("s"), full)).isFalse();
        assertThat(n(1).get("s")).isEqualTo("SET:[b]");
        assertThat(n(1).ks.slotDigest(0, KeySlot.of(b("s")))).isEqualTo(n(0).ks.slotDigest(0, KeySlot.of(b("s"))));
    }

    @Test
    void digestsRebuiltAtStartUpEqualTheIncrementalOnes() {
        for (int i = 0; i < 200; i++) {
            ReplicaSet.Replica r = n(i % 3);
            switch (i % 5) {
                case 0, 1 -> r.set("k" + (i % 37), "v" + i);
                case 2 -> r.incrBy("c" + (i % 7), i);
                case 3 -> r.ks.delete(0, b("k" + (i % 11)));
                default -> r.ks.setExpiry(0, b("k" + (i % 37)), net.time.getAsLong() + 100_000);
            }
            net.time.advance(i % 2);
        }
        net.deliverAll(random);
        List<String> incremental = net.digests();
        assertThat(incremental).containsOnly(incremental.get(0));
        long[] slots = new long[KeySlot.SLOTS];
        for (int s = 0; s < KeySlot.SLOTS; s++) {
            slots[s] = n(0).ks.slotDigest(0, s);
        }
        n(0).restart();
        assertThat(net.digests()).isEqualTo(incremental);
        for (int s = 0; s < KeySlot.SLOTS; s++) {
            assertThat(n(0).ks.slotDigest(0, s)).as("slot %d", s).isEqualTo(slots[s]);
            long fromHashes = 0;
            for (Keyspace.KeyHash h : n(0).ks.keyHashes(0, s)) {
                fromHashes ^= h.hash();
            }
            assertThat(fromHashes).isEqualTo(slots[s]);
        }
    }

    @Test
    void droppingASlotRemovesItsKeysTombstonesAndDigest() {
        Keyspace ks = n(0).ks;
        n(0).set("{a}1", "x");
        n(0).set("{a}2", "y");
        n(0).ks.setExpiry(0, b("{a}2"), net.time.getAsLong() + 10_000);
        n(0).set("{a}3", "z");
        ks.delete(0, b("{a}3"));
        n(0).set("other", "o");
        int slot = KeySlot.of(b("a"));
        assertThat(ks.countInSlot(0, slot)).isEqualTo(2);
        ks.dropSlot(slot);
        assertThat(ks.countInSlot(0, slot)).isZero();
        assertThat(ks.readStored(0, b("{a}3"))).isNull();
        assertThat(ks.slotDigest(0, slot)).isZero();
        assertThat(ks.size(0)).isEqualTo(1);
        assertThat(ks.expiresCount(0)).isZero();
        assertThat(ks.tombstoneCount(0)).isZero();
        assertThat(ks.keyRange(0, new byte[0], null, -1)).extracting(e -> new String(e.key())).containsExactly("other");
    }

    @Test
    void aNodeThatDroppedASlotAndOwnsItAgainCountsOnWithoutReplacingWhatItsPeersHold() {
        // n0 counts 7 that n1 holds; n0 then drops the slot (it stopped owning it) and owns it again before
        // anti-entropy brings the key back: its next increment must add to the 7, not restart n0's total at 1
        n(0).incrBy("c", 7);
        net.deliverAll(random);
        n(0).ks.dropSlot(KeySlot.of(b("c")));
        assertThat(n(0).get("c")).isNull();
        net.time.advance(1);
        n(0).incrBy("c", 1);
        n(1).incrBy("c", 10);
        net.deliverAll(random);
        assertConverged("c");
        assertThat(n(2).get("c")).isEqualTo("STRING:18");
    }
}
