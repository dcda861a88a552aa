package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Stamp;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyspaceTest {

    @TempDir
    Path dir;

    private final ManualTime time = new ManualTime();
    private Engine engine;
    private Keyspace ks;

    @BeforeEach
    void open() {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, 1), 16, time);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void set(int db, String k, String v, long expireAt) {
        ks.setString(db, b(k), b(v), Encoding.ofString(b(v)), expireAt);
    }

    @Test
    void everyWriteCarriesAFreshStampAndANewKeyGetsAVersion() {
        set(0, "k", "v1", 0);
        Metadata first = ks.read(0, b("k"));
        set(0, "k", "v2", 0);
        Metadata second = ks.read(0, b("k"));
        assertThat(second.stamp().after(first.stamp())).isTrue();
        assertThat(second.stamp().node()).isEqualTo(1);
        assertThat(second.version()).isNotEqualTo(first.version());
        assertThat(second.payload()).isEqualTo(b("v2"));
    }

    @Test
    void expiredKeyIsGoneOnAccessAndCountedAsExpired() {
        set(0, "k", "v", time.getAsLong() + 1000);
        assertThat(ks.read(0, b("k"))).isNotNull();
        assertThat(ks.expiresCount(0)).isEqualTo(1);
        time.advance(1000);
        assertThat(ks.read(0, b("k"))).isNull();
        assertThat(ks.readStored(0, b("k"))).as("passive expiry removed it from disk").isNull();
        assertThat(ks.size(0)).isZero();
        assertThat(ks.expiresCount(0)).isZero();
        assertThat(ks.stats().expiredKeys()).isEqualTo(1);
    }

    @Test
    void activeExpiryCycleIsBoundedAndEventuallyRemovesEveryDueKey() {
        long now = time.getAsLong();
        for (int i = 0; i < 3000; i++) {
            set(i % 3, "due" + i, "v", now + 10);
        }
        for (int i = 0; i < 50; i++) {
            set(0, "later" + i, "v", now + 3_600_000);
        }
        set(0, "forever", "v", 0);
        time.advance(100);
        int first = ks.runCycle(500, Long.MAX_VALUE);
        assertThat(first).isEqualTo(500);
        int total = first;
        for (int round = 0; round < 20 && total < 3000; round++) {
            int removed = ks.runCycle(500, Long.MAX_VALUE);
            assertThat(removed).isLessThanOrEqualTo(500);
            total += removed;
        }
        assertThat(total).isEqualTo(3000);
        assertThat(ks.size(0) + ks.size(1) + ks.size(2)).isEqualTo(51);
        assertThat(ks.expiresCount(0)).isEqualTo(50);
        assertThat(ks.runCycle()).isZero();
        assertThat(ks.readStored(0, b("later7"))).isNotNull();
    }

    @Test
    void flushdbRemovesOneDatabaseByRange() {
        for (int i = 0; i < 100; i++) {
            set(0, "a" + i, "v", 0);
            set(1, "b" + i, "v", time.getAsLong() + 60_000);
        }
        ks.flush(1);
        assertThat(ks.size(0)).isEqualTo(100);
        assertThat(ks.size(1)).isZero();
        assertThat(ks.expiresCount(1)).isZero();
        assertThat(ks.keys(1, null)).isEmpty();
        assertThat(ks.read(0, b("a5"))).isNotNull();
        try (Engine.Cursor c = engine.iterate(ColumnFamily.EXPIRE, KeyCodec.dbStart(1), KeyCodec.dbEnd(1))) {
            assertThat(c.valid()).as("expiry index of db 1 emptied too").isFalse();
        }
        ks.flushAll();
        assertThat(ks.size(0)).isZero();
    }

    @Test
    void countersAreRebuiltFromDiskOnRestart() {
        for (int i = 0; i < 20; i++) {
            set(2, "k" + i, "v", i < 5 ? time.getAsLong() + 60_000 : 0);
        }
        engine.close();
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, 1), 16, time);
        assertThat(ks.size(2)).isEqualTo(20);
        assertThat(ks.expiresCount(2)).isEqualTo(5);
        assertThat(ks.read(2, b("k7")).payload()).isEqualTo(b("v"));
    }

    @Test
    void overwritingACollectionDropsItsSubkeysInOneRange() {
        Stamp s = ks.stamp();
        Metadata hash = new Metadata(ValueType.HASH, Encoding.HASHTABLE, 77, s, 0, null, 2, null, null);
        ks.write(0, b("h"), hash);
        engine.put(ColumnFamily.SUB, KeyCodec.sub(0, b("h"), 77, b("f1")), b("x"));
        engine.put(ColumnFamily.SUB, KeyCodec.sub(0, b("h"), 77, b("f2")), b("y"));
        engine.put(ColumnFamily.SUB, KeyCodec.sub(0, b("hh"), 77, b("f1")), b("other key"));
        set(0, "h", "now a string", 0);
        assertThat(engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b("h"), 77, b("f1")))).isNull();
        assertThat(engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b("h"), 77, b("f2")))).isNull();
        assertThat(engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b("hh"), 77, b("f1")))).isEqualTo(b("other key"));
    }

    @Test
    void copyOfACollectionCopiesItsSubkeysUnderANewVersion() throws Exception {
        Metadata hash = new Metadata(ValueType.HASH, Encoding.HASHTABLE, 5, ks.stamp(), 0, null, 1, null, null);
        ks.write(0, b("src"), hash);
        io.hyperkv.crdt.Dot dot = new io.hyperkv.crdt.Dot(1, 1);
        engine.put(ColumnFamily.SUB, KeyCodec.sub(0, b("src"), 5, b("field")), io.hyperkv.crdt.ElementCodec.encodeField(
                io.hyperkv.crdt.DotFun.of(dot, new io.hyperkv.crdt.Contribution.Assign(ks.stamp(), io.hyperkv.crdt.Bytes.of("value")))));
        ks.copy(0, b("src"), ks.read(0, b("src")), 3, b("dst"));
        Metadata copy = ks.read(3, b("dst"));
        assertThat(copy.type()).isEqualTo(ValueType.HASH);
        byte[] row = engine.get(ColumnFamily.SUB, KeyCodec.sub(3, b("dst"), copy.version(), b("field")));
        io.hyperkv.crdt.DotFun<io.hyperkv.crdt.Contribution> copied = io.hyperkv.crdt.ElementCodec.decodeField(row);
        assertThat(io.hyperkv.crdt.RegisterValue.resolve(copied).orElseThrow().bytes().utf8()).isEqualTo("value");
        assertThat(copied.dots()).as("the copy's element has its own dot").doesNotContain(dot);
    }

    @Test
    void scanVisitsEveryKeyOnceAcrossPagesAndSkipsExpired() {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 257; i++) {
            set(0, "key:" + i, "v", 0);
            expected.add("key:" + i);
        }
        set(0, "dead", "v", time.getAsLong() + 1);
        time.advance(5);
        Set<String> seen = new HashSet<>();
        long cursor = 0;
        int pages = 0;
        do {
            Keyspace.ScanPage page = ks.scan(0, cursor, 10, null, null);
            for (byte[] k : page.keys()) {
                assertThat(seen.add(new String(k))).as("no duplicates").isTrue();
            }
            cursor = page.cursor();
            pages++;
        } while (cursor != 0 && pages < 1000);
        assertThat(seen).isEqualTo(expected);
        assertThat(pages).isGreaterThan(20);
        List<byte[]> matched = ks.keys(0, new Glob(b("key:1?"), false));
        assertThat(matched).hasSize(10);
        assertThat(ks.scan(0, 0, 1000, null, ValueType.HASH).keys()).isEmpty();
    }

    @Test
    void randomKeyReturnsALiveKeyOrNull() {
        assertThat(ks.randomKey(0)).isNull();
        set(0, "only", "v", 0);
        assertThat(ks.randomKey(0)).isEqualTo(b("only"));
        set(0, "dying", "v", time.getAsLong() + 1);
        time.advance(10);
        for (int i = 0; i < 20; i++) {
            assertThat(ks.randomKey(0)).isEqualTo(b("only"));
        }
    }

    /** Records what {@link KeyEvents} reports, as text. */
    private static final class Recorder implements KeyEvents {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void modified(int db, byte[] key) {
            events.add("modified " + db + " " + new String(key, StandardCharsets.UTF_8));
        }

        @Override
        public void expired(int db, byte[] key) {
            events.add("expired " + db + " " + new String(key, StandardCharsets.UTF_8));
        }

        @Override
        public void flushed(int fromDb, int toDb) {
            events.add("flushed " + fromDb + ".." + toDb);
        }
    }

    @Test
    void listenersHearEveryCommittedChangeAndNothingElse() {
        Recorder r = new Recorder();
        ks.listen(r);
        ks.listen(new KeyEvents() {
            @Override
            public void modified(int db, byte[] key) {
                throw new IllegalStateException("a broken listener must not undo the write");
            }
        });
        set(0, "a", "1", 0);
        ks.delete(0, b("missing"));
        ks.setExpiry(0, b("a"), time.getAsLong() + 1000);
        try (Keyspace.Changes c = ks.changes()) {
            c.putString(1, b("x"), b("1"), Encoding.EMBSTR, 0).putString(1, b("y"), b("2"), Encoding.EMBSTR, 0).commit();
        }
        time.advance(2000);
        assertThat(ks.read(0, b("a"))).isNull();
        set(2, "t", "v", time.getAsLong() + 10);
        time.advance(20);
        assertThat(ks.runCycle()).isEqualTo(1);
        ks.flushAll();
        assertThat(r.events).containsExactly("modified 0 a", "modified 0 a", "modified 1 x", "modified 1 y",
                "expired 0 a", "modified 2 t", "expired 2 t", "flushed 0..16");
        assertThat(ks.stats().listenerFailures()).as("one per modified event").isEqualTo(5);
        assertThat(ks.read(1, b("x"))).as("flushed").isNull();
    }

    @Test
    void collectionRowsStagedWithTheirMetaCommitTogetherAndGoWithTheKey() {
        Stamp s = ks.stamp();
        Metadata meta = new Metadata(ValueType.SET, Encoding.HASHTABLE, s.time(), s, 0, null, 2, null, null);

        try (Keyspace.Changes c = ks.changes()) {
            c.put(0, b("set"), null, meta)
                    .putSub(ColumnFamily.SUB, KeyCodec.sub(0, b("set"), meta.version(), b("m1")), b("d1"))
                    .putSub(ColumnFamily.SUB, KeyCodec.sub(0, b("set"), meta.version(), b("m2")), b("d2"))
                    .commit();
        }
        assertThat(engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b("set"), meta.version(), b("m1")))).isEqualTo(b("d1"));
        assertThat(ks.size(0)).isEqualTo(1);
        try (Keyspace.Changes c = ks.changes()) {
            Metadata stored = ks.readStored(0, b("set"));
            c.deleteSub(ColumnFamily.SUB, KeyCodec.sub(0, b("set"), meta.version(), b("m1")))
                    .put(0, b("set"), stored, new Metadata(ValueType.SET, Encoding.HASHTABLE, stored.version(),
                            ks.stamp(), 0, null, 1, null, null))
                    .commit();
        }
        assertThat(engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b("set"), meta.version(), b("m1")))).isNull();
        assertThat(ks.read(0, b("set")).size()).isEqualTo(1);
        ks.delete(0, b("set"));
        assertThat(engine.get(ColumnFamily.SUB, KeyCodec.sub(0, b("set"), meta.version(), b("m2")))).as("range-deleted with the key").isNull();
        assertThat(ks.size(0)).isZero();
    }
}
