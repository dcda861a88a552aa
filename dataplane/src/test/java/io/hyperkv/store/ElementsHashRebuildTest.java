package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.Stamp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A single node keeps no collection element hash (its row writes do not pay for hashing): its written collections'
 * META say the hash is stale, DEBUG DIGEST computes it from the rows, and setting a delta sink (entering cluster mode)
 * rewrites it. Two nodes with the same clock make the same writes, one replicating all along, the other only from
 * halfway: they hold the same DEBUG DIGEST, slot digests and per-key digests before the switch, right after it and
 * after more writes.
 */
class ElementsHashRebuildTest {

    private static final int KEYS = 4;

    @TempDir
    Path dir;

    private final List<ReplicaNode> nodes = new ArrayList<>();

    @AfterEach
    void close() {
        nodes.forEach(ReplicaNode::close);
    }

    private ReplicaNode open(String name, ManualTime time, boolean replicating) {
        ReplicaNode n = new ReplicaNode(dir.resolve(name), time, 7, replicating);
        nodes.add(n);
        return n;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> keys() {
        List<byte[]> keys = new ArrayList<>();
        for (String type : new String[] {"h", "s", "z", "l"}) {
            for (int i = 0; i < KEYS; i++) {
                keys.add(b(type + i));
            }
        }
        return keys;
    }

    /**
     * Write {@code step} of a deterministic sequence over hashes, sets, sorted sets and lists that never empties a
     * collection (an emptied collection leaves a tombstone only while replicating, so the two nodes' states would
     * differ for a reason that is not the hash).
     */
    private static void write(ReplicaNode n, Random r) {
        String name = "m" + r.nextInt(12);
        byte[] key = b("hszl".charAt(r.nextInt(4)) + "" + r.nextInt(KEYS));
        try (KeyLocks.Held ignored = n.ks.lock(0, key)) {
            Metadata live = n.live(key);
            int what = r.nextInt(4);
            boolean big = live != null && live.size() > 3;
            switch (key[0]) {
                case 'h' -> {
                    if (what == 0 && big) {
                        n.hashes.delete(0, key, live, List.of(b(name)));
                    } else if (what == 1) {
                        n.hashes.increment(0, key, live, b(name + "#"), r.nextInt(9) - 3);
                    } else {
                        n.hashes.put(0, key, live, Map.of(Bytes.of(name), Bytes.of("v" + r.nextInt(50))), 1);
                    }
                }
                case 's' -> {
                    if (what == 0 && big) {
                        n.sets.remove(0, key, live, List.of(b(name)));
                    } else if (live == null || !n.sets.contains(0, key, live, b(name))) {
                        // only a new member: a present one is re-added under a fresh dot only while replicating
                        n.sets.add(0, key, live, List.of(b(name)));
                    }
                }
                case 'z' -> {
                    ZSetStore.Edit e = n.zsets.edit(0, key, live);
                    if (what == 0 && big) {
                        e.remove(b(name));
                    } else {
                        e.put(b(name), r.nextInt(20) - 5);
                    }
                    e.commit();
                }
                default -> {
                    if (what == 0 && big) {
                        n.lists.pop(0, key, 1, r.nextBoolean());
                    } else if (what == 1 && live != null) {
                        n.lists.set(0, key, 0, b(name));
                    } else {
                        n.lists.push(0, key, List.of(b(name)), r.nextBoolean(), false);
                    }
                }
            }
        }
    }

    private static void writes(ReplicaNode a, ReplicaNode b, ManualTime time, long seed, int count) {
        Random ra = new Random(seed);
        Random rb = new Random(seed);
        for (int i = 0; i < count; i++) {
            write(a, ra);
            write(b, rb);
            time.advance(1);
        }
    }

    /** Every digest anti-entropy and DEBUG DIGEST look at: all slots', each key's and the whole keyspace's. */
    private static void assertSameDigests(ReplicaNode single, ReplicaNode replicated) {
        assertThat(single.ks.digest()).isEqualTo(replicated.ks.digest()).isNotEqualTo(new byte[20]);
        for (byte[] key : keys()) {
            int slot = KeySlot.of(key);
            assertThat(single.ks.slotDigest(0, slot)).as("slot %d", slot).isEqualTo(replicated.ks.slotDigest(0, slot));
            assertThat(single.ks.keyHashes(0, slot)).usingRecursiveFieldByFieldElementComparator()
                    .isEqualTo(replicated.ks.keyHashes(0, slot));
            assertThat(single.ks.valueDigest(0, key)).isEqualTo(replicated.ks.valueDigest(0, key));
        }
    }

    @Test
    void aNodeThatStartsReplicatingRebuildsTheHashesItDidNotKeep() {
        ManualTime time = new ManualTime();
        ReplicaNode single = open("single", time, false);
        ReplicaNode replicated = open("replicated", time, true);
        writes(single, replicated, time, 42, 400);

        for (byte[] key : keys()) {
            Metadata s = single.live(key);
            Metadata r = replicated.live(key);
            assertThat(s).as("key %s", new String(key, StandardCharsets.UTF_8)).isNotNull();
            assertThat(s.hashStale()).as("a single node keeps no element hash").isTrue();
            assertThat(r.hashStale()).isFalse();
            assertThat(r.elementsHash()).isEqualTo(replicated.recomputedHash(key));
        }
        // DEBUG DIGEST of a single node hashes the rows itself
        assertSameDigests(single, replicated);

        single.replicate();
        for (byte[] key : keys()) {
            Metadata s = single.live(key);
            assertThat(s.hashStale()).as("rebuilt when replication starts").isFalse();
            assertThat(s.elementsHash()).isEqualTo(replicated.live(key).elementsHash())
                    .isEqualTo(single.recomputedHash(key));
        }
        assertSameDigests(single, replicated);

        // from now on both keep their hashes and digests incrementally
        writes(single, replicated, time, 43, 200);
        for (byte[] key : keys()) {
            assertThat(single.live(key).elementsHash()).isEqualTo(single.recomputedHash(key));
        }
        assertSameDigests(single, replicated);
    }

    @Test
    void theRebuiltHashesSurviveARestartInClusterMode() {
        ManualTime time = new ManualTime();
        Path path = dir.resolve("restart");
        try (ReplicaNode single = new ReplicaNode(path, time, 7, false)) {
            single.sets.add(0, b("s"), null, List.of(b("x"), b("y")));
            assertThat(single.live(b("s")).hashStale()).isTrue();
        }
        try (ReplicaNode again = new ReplicaNode(path, time, 7, true)) {
            Metadata m = again.live(b("s"));
            assertThat(m.hashStale()).isFalse();
            assertThat(m.elementsHash()).isNotZero().isEqualTo(again.recomputedHash(b("s")));
        }
        try (ReplicaNode third = new ReplicaNode(path, time, 7, false)) {
            assertThat(third.live(b("s")).hashStale()).as("the rewritten META was persisted").isFalse();
        }
    }

    @Test
    void staleIsItsOwnFlagAndFormatOneCollectionsReadAsStale() {
        Stamp at = new Stamp(Stamp.pack(1_700_000_000_000L, 0), 3);
        Metadata stale = new Metadata(ValueType.SET, Encoding.LISTPACK, 5, at, 0, null, 2, null, null)
                .withElementsHash(Metadata.STALE_HASH);
        byte[] encoded = stale.encode();
        assertThat(encoded.length).as("no hash bytes").isEqualTo(stale.withElementsHash(0).encode().length);
        assertThat(Metadata.decode(encoded)).isEqualTo(stale);
        assertThat(Metadata.decode(encoded).hashStale()).isTrue();
        Metadata hashed = stale.withElementsHash(0x1234L);
        assertThat(Metadata.decode(hashed.encode()).elementsHash()).isEqualTo(0x1234L);

        // format 1: written before collections had a hash
        byte[] v1 = stale.withElementsHash(0).encode();
        v1[0] = 1;
        assertThat(Metadata.decode(v1).hashStale()).isTrue();
        byte[] string1 = Metadata.string(b("v"), Encoding.RAW, 5, at, 0, null).encode();
        string1[0] = 1;
        assertThat(Metadata.decode(string1).elementsHash()).isZero();
        assertThat(ByteBuffer.wrap(encoded).get(3) & 32).as("flag 32").isEqualTo(32);
    }
}
