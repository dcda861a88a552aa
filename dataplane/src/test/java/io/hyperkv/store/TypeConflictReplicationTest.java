package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Stamp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Observed-remove across a change of type, on real RocksDB replicas exchanging whole keys as anti-entropy does
 * ({@link Keyspace#capture} on one, {@link Keyspace#merge} on the other): a string written over a collection removes
 * the elements it saw on every replica, through a DEL and a new collection of the same type, whatever the order of
 * the exchange; a collection that wins a type conflict drops the elements the losing string had seen; the exchange is
 * idempotent; values stored before the observed context existed still decode unchanged.
 */
class TypeConflictReplicationTest {

    private static final byte[] KEY = "k".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private ReplicaNode a;
    private ReplicaNode c;

    @BeforeEach
    void open() {
        a = new ReplicaNode(dir.resolve("a"), time, 1);
        c = new ReplicaNode(dir.resolve("c"), time, 2);
    }

    @AfterEach
    void close() {
        a.close();
        c.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** SADD / HSET / ZADD of {@code name} on {@code n} (at key "k", as {@link CollectionReplicationTest} writes). */
    private void add(ValueType type, ReplicaNode n, String name) {
        time.advance(1);
        CollectionReplicationTest.add(type, n, name);
    }

    private void set(ReplicaNode n, String value) {
        time.advance(1);
        n.ks.setString(0, KEY, b(value), Encoding.RAW, 0);
    }

    private void del(ReplicaNode n) {
        time.advance(1);
        n.del(KEY);
    }

    /** What a client reads: the members (HGETALL fields, SMEMBERS, ZRANGE) of a live collection, or the string. */
    private static List<String> contents(ValueType type, ReplicaNode n) {
        List<String> out = new ArrayList<>();
        Metadata m = n.live(KEY);
        if (m == null) {
            return out;
        }
        if (m.type() == ValueType.STRING) {
            out.add("string:" + s(m.payload()));
            return out;
        }
        assertThat(m.type()).isEqualTo(type);
        switch (type) {
            case HASH -> n.hashes.all(0, KEY, m).forEach(f -> out.add(s(f.field())));
            case SET -> n.sets.members(0, KEY, m).forEach(v -> out.add(s(v)));
            case ZSET -> n.zsets.all(0, KEY, m).forEach(x -> out.add(s(x.member())));
            default -> throw new IllegalArgumentException(type.toString());
        }
        assertThat(out).as("the size META counts").hasSize((int) m.size());
        return out;
    }

    /** Ships {@code from}'s whole key to {@code to}; returns whether the merge changed anything. */
    private static boolean antiEntropy(ReplicaNode from, ReplicaNode to) {
        KeyDelta whole = from.capture(KEY);
        return whole != null && to.merge(KEY, KeyDelta.decode(whole.encode()));
    }

    /** One anti-entropy exchange each way, C (which missed writes) first or A first. */
    private void exchange(boolean staleFirst) {
        if (staleFirst) {
            antiEntropy(c, a);
            antiEntropy(a, c);
        } else {
            antiEntropy(a, c);
            antiEntropy(c, a);
        }
    }

    private void assertConverged(ValueType type, String... expected) {
        assertThat(contents(type, a)).containsExactlyInAnyOrder(expected);
        assertThat(contents(type, c)).containsExactlyInAnyOrder(expected);
        assertThat(a.rows(KEY)).isEqualTo(c.rows(KEY));
        assertThat(a.ks.digest()).as("digests equal exactly when states are").isEqualTo(c.ks.digest());
        // idempotence: the exchange repeated, both ways, changes nothing
        assertThat(antiEntropy(a, c)).isFalse();
        assertThat(antiEntropy(c, a)).isFalse();
        assertThat(antiEntropy(a, c)).isFalse();
        assertThat(contents(type, a)).containsExactlyInAnyOrder(expected);
        assertThat(contents(type, c)).containsExactlyInAnyOrder(expected);
    }

    /** A holds {x}; C receives it, then misses A's SET, DEL and new {y}. */
    private void stringThenDelThenNewCollection(ValueType type) {
        add(type, a, "x");
        assertThat(antiEntropy(a, c)).isTrue();
        assertThat(contents(type, c)).containsExactly("x");
        set(a, "s");
        del(a);
        add(type, a, "y");
        assertThat(contents(type, a)).containsExactly("y");
    }

    /** Both orders of the exchange: the up-to-date replica A ships first, or the stale C does. */
    @ParameterizedTest
    @CsvSource({"HASH,false", "SET,false", "ZSET,false", "HASH,true", "SET,true", "ZSET,true"})
    void aStringOverACollectionRemovesWhatItSawOnTheReplicaThatMissedIt(ValueType type, boolean staleFirst) {
        stringThenDelThenNewCollection(type);
        exchange(staleFirst);
        assertThat(contents(type, a)).containsExactly("y");
        assertConverged(type, "y");
    }

    /** The observed context survives a string written over the string, its DEL and the new collection's writes. */
    @ParameterizedTest
    @EnumSource(value = ValueType.class, names = {"HASH", "SET", "ZSET"})
    void theObservedContextTravelsThroughStringWritesAndTheirTombstone(ValueType type) {
        add(type, a, "x");
        antiEntropy(a, c);
        set(c, "s");
        assertThat(c.ks.readStored(0, KEY).observed()).isNotEmpty();
        set(c, "t");
        del(c);
        assertThat(c.ks.readStored(0, KEY).observed()).isNotEmpty();
        add(type, c, "y");
        add(type, c, "w");
        exchange(false);
        assertConverged(type, "y", "w");
    }

    /**
     * A type conflict the collection wins: C's SET observed x; A's later add of z outranks it. x was removed by the
     * SET on C, z is concurrent with it: both replicas end with {z}, whichever ships first.
     */
    @ParameterizedTest
    @CsvSource({"HASH,false", "SET,false", "ZSET,false", "HASH,true", "SET,true", "ZSET,true"})
    void aWinningCollectionDropsWhatTheLosingStringHadSeen(ValueType type, boolean staleFirst) {
        add(type, a, "x");
        antiEntropy(a, c);
        set(c, "s");
        add(type, a, "z");
        exchange(staleFirst);
        assertConverged(type, "z");
    }

    /** The string wins the conflict: both keep it, and a later collection over it on either side starts clean. */
    @Test
    void aWinningStringKeepsTheLosersDotsCovered() {
        add(ValueType.SET, a, "x");
        antiEntropy(a, c);
        add(ValueType.SET, a, "z");
        set(c, "s");
        exchange(false);
        assertConverged(ValueType.SET, "string:s");
        del(c);
        add(ValueType.SET, c, "y");
        // A still holds the string: C's new set must not carry x or z back anywhere
        exchange(true);
        assertConverged(ValueType.SET, "y");
    }

    @Test
    void aValueWrittenBeforeTheObservedContextDecodesUnchanged() {
        // format 2, STRING, RAW, flags 0: version, stamp, payload "v" (what every string was before flag 64)
        byte[] old = ByteBuffer.allocate(4 + 24 + 1).put((byte) 2).put((byte) ValueType.STRING.code())
                .put((byte) Encoding.RAW.code()).put((byte) 0).putLong(7).putLong(8).putLong(9).put((byte) 'v').array();
        Metadata m = Metadata.decode(old);
        assertThat(m.observed()).isEmpty();
        assertThat(m.payload()).containsExactly('v');
        assertThat(m.stamp()).isEqualTo(new Stamp(8, 9));
        assertThat(m.encode()).as("re-encoded byte for byte: old values keep their hash").isEqualTo(old);

        Metadata withObserved = m.withObserved(new byte[] {1, 2, 3});
        Metadata back = Metadata.decode(withObserved.encode());
        assertThat(back).isEqualTo(withObserved).isNotEqualTo(m);
        assertThat(back.observed()).containsExactly(1, 2, 3);
        assertThat(back.payload()).containsExactly('v');
        assertThat(StateHash.of(back)).isNotEqualTo(StateHash.of(m));
        assertThat(Metadata.expireAtOf(withObserved.encode())).isZero();
    }
}
