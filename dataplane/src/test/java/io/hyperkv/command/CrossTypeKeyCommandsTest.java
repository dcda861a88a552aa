package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.Contribution;
import io.hyperkv.crdt.Dot;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.OrMap;
import io.hyperkv.crdt.OrSet;
import io.hyperkv.crdt.Position;
import io.hyperkv.crdt.RegisterValue;
import io.hyperkv.crdt.Sequence;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.Engine;
import io.hyperkv.store.KeyCodec;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.ValueType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * TYPE, OBJECT ENCODING, SCAN TYPE, COPY, RENAME and expiry on every collection type, written here
 * in the stored layout of {@code store/package-info.java} (META + one {@code sub} row per element,
 * built by the CRDT types themselves, + {@code zscore} rows), so they hold whatever family command
 * later writes them.
 */
class CrossTypeKeyCommandsTest extends CommandHarnessTest {

    // ---------------------------------------------------------------- building stored collections

    private Metadata writeSet(int db, String key, String... members) {
        List<Bytes> ms = new ArrayList<>();
        for (String m : members) {
            ms.add(Bytes.of(m));
        }
        OrSet state = OrSet.EMPTY.merge(OrSet.EMPTY.add(ms, h.ks.clock()));
        Map<byte[], byte[]> rows = new LinkedHashMap<>();
        state.store().forEach(e -> rows.put(e.getKey().toByteArray(), ElementCodec.encodeMember(e.getValue())));
        return store(db, key, ValueType.SET, Encoding.HASHTABLE, state.context(), rows, Map.of(), new byte[0]);
    }

    private Metadata writeHash(int db, String key) {
        OrMap state = OrMap.EMPTY.merge(OrMap.EMPTY.put(Map.of(Bytes.of("f1"), Bytes.of("v1"), Bytes.of("f2"), Bytes.of("v2")),
                h.ks.clock()));
        state = state.merge(state.increment(Bytes.of("n"), 5, h.ks.clock()));
        state = state.merge(state.increment(Bytes.of("n"), 2, h.ks.clock()));
        Map<byte[], byte[]> rows = new LinkedHashMap<>();
        state.store().forEach(e -> rows.put(e.getKey().toByteArray(), ElementCodec.encodeField(e.getValue())));
        return store(db, key, ValueType.HASH, Encoding.HASHTABLE, state.context(), rows, Map.of(), new byte[0]);
    }

    private Metadata writeZset(int db, String key) {
        Map<Bytes, Bytes> scores = new TreeMap<>(Map.of(Bytes.of("a"), Bytes.of("1.5"), Bytes.of("b"), Bytes.of("-2")));
        OrMap state = OrMap.EMPTY.merge(OrMap.EMPTY.put(scores, h.ks.clock()));
        Map<byte[], byte[]> rows = new LinkedHashMap<>();
        Map<byte[], byte[]> index = new LinkedHashMap<>();
        state.store().forEach(e -> {
            double score = Double.parseDouble(scores.get(e.getKey()).utf8());
            byte[] contributions = ElementCodec.encodeField(e.getValue());
            rows.put(e.getKey().toByteArray(), ByteBuffer.allocate(8 + contributions.length).putDouble(score).put(contributions).array());
            long bits = Double.doubleToRawLongBits(score);
            byte[] sortable = ByteBuffer.allocate(8).putLong(bits >= 0 ? bits ^ Long.MIN_VALUE : ~bits).array();
            byte[] member = e.getKey().toByteArray();
            index.put(ByteBuffer.allocate(8 + member.length).put(sortable).put(member).array(), new byte[0]);
        });
        return store(db, key, ValueType.ZSET, Encoding.SKIPLIST, state.context(), rows, index, new byte[0]);
    }

    private Metadata writeList(int db, String key, String... values) {
        List<Bytes> vs = new ArrayList<>();
        for (String v : values) {
            vs.add(Bytes.of(v));
        }
        Sequence state = Sequence.EMPTY.merge(Sequence.EMPTY.pushRight(vs, h.ks.clock()));
        Map<byte[], byte[]> rows = new LinkedHashMap<>();
        state.store().forEach(e -> rows.put(e.getKey().sortKey(), ElementCodec.encodeField(e.getValue())));
        return store(db, key, ValueType.LIST, Encoding.QUICKLIST, state.context(), rows, Map.of(), "head|tail".getBytes());
    }

    private Metadata store(int db, String key, ValueType type, Encoding encoding, CausalContext context,
            Map<byte[], byte[]> rows, Map<byte[], byte[]> index, byte[] payload) {
        Stamp stamp = h.ks.clock().next();
        Metadata meta = new Metadata(type, encoding, stamp.time(), stamp, 0, null, rows.size(),
                ElementCodec.encodeContext(context), payload);
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        try (Keyspace.Changes c = h.ks.changes()) {
            c.put(db, k, meta);
            rows.forEach((f, v) -> c.putSub(ColumnFamily.SUB, KeyCodec.sub(db, k, meta.version(), f), v));
            index.forEach((f, v) -> c.putSub(ColumnFamily.ZSCORE, KeyCodec.sub(db, k, meta.version(), f), v));
            c.commit();
        }
        return meta;
    }

    // ---------------------------------------------------------------- reading them back

    private Metadata meta(int db, String key) {
        return h.ks.read(db, key.getBytes(StandardCharsets.UTF_8));
    }

    /** field → row value of the key's current version. */
    private Map<String, byte[]> rows(ColumnFamily cf, int db, String key) {
        Metadata m = h.ks.readStored(db, key.getBytes(StandardCharsets.UTF_8));
        return m == null ? Map.of() : rows(cf, db, key, m.version());
    }

    private Map<String, byte[]> rows(ColumnFamily cf, int db, String key, long version) {
        byte[] prefix = KeyCodec.subPrefix(db, key.getBytes(StandardCharsets.UTF_8), version);
        Map<String, byte[]> out = new TreeMap<>();
        try (Engine.Cursor c = h.engine.iterate(cf, prefix, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                byte[] k = c.key();
                out.put(java.util.HexFormat.of().formatHex(k, prefix.length, k.length), c.value());
            }
        }
        return out;
    }

    /** field → the value a reader sees (set: "1"; hash/list: resolved bytes; zset: score + resolved bytes). */
    private Map<String, String> values(ValueType type, Map<String, byte[]> rows) throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : rows.entrySet()) {
            byte[] v = e.getValue();
            out.put(e.getKey(), switch (type) {
                case SET -> ElementCodec.decodeMember(v).isEmpty() ? "none" : "member";
                case HASH, LIST -> RegisterValue.resolve(ElementCodec.decodeField(v)).orElseThrow().bytes().utf8();
                case ZSET -> ByteBuffer.wrap(v).getDouble() + "/" + RegisterValue.resolve(
                        ElementCodec.decodeField(java.util.Arrays.copyOfRange(v, 8, v.length))).orElseThrow().bytes().utf8();
                default -> throw new IllegalArgumentException();
            });
        }
        return out;
    }

    private Set<Dot> dots(ValueType type, Map<String, byte[]> rows) throws Exception {
        Set<Dot> out = new HashSet<>();
        for (byte[] v : rows.values()) {
            DotFun<?> f = switch (type) {
                case SET -> ElementCodec.decodeMember(v);
                case ZSET -> ElementCodec.decodeField(java.util.Arrays.copyOfRange(v, 8, v.length));
                default -> ElementCodec.decodeField(v);
            };
            f.dots().forEach(out::add);
        }
        return out;
    }

    // ---------------------------------------------------------------- the behaviours

    @Test
    void typeEncodingAndScanTypeSeeEveryCollection() {
        writeSet(0, "s", "x", "y");
        writeHash(0, "h");
        writeZset(0, "z");
        writeList(0, "l", "a", "b", "c");
        h.run("SET", "str", "v");
        h.expect("+set", "TYPE", "s");
        h.expect("+hash", "TYPE", "h");
        h.expect("+zset", "TYPE", "z");
        h.expect("+list", "TYPE", "l");
        h.expect("\"hashtable\"", "OBJECT", "ENCODING", "s");
        h.expect("\"skiplist\"", "OBJECT", "ENCODING", "z");
        h.expect("\"quicklist\"", "OBJECT", "ENCODING", "l");
        for (String[] t : new String[][] {{"set", "s"}, {"hash", "h"}, {"zset", "z"}, {"list", "l"}, {"string", "str"}}) {
            h.expect("[\"0\", [\"" + t[1] + "\"]]", "SCAN", "0", "COUNT", "100", "TYPE", t[0]);
        }
        h.expect(":5", "DBSIZE");
    }

    @Test
    void copyGivesEveryCollectionAFreshStateWithTheSameValues() throws Exception {
        writeSet(0, "s", "x", "y", "z");
        writeHash(0, "h");
        writeZset(0, "z");
        writeList(0, "l", "a", "b", "a");
        for (String key : List.of("s", "h", "z", "l")) {
            Metadata src = meta(0, key);
            h.expect(":1", "COPY", key, key + "-copy");
            Metadata dst = meta(0, key + "-copy");
            ValueType type = src.type();
            assertThat(dst.type()).isEqualTo(type);
            assertThat(dst.encoding()).isEqualTo(src.encoding());
            assertThat(dst.size()).isEqualTo(src.size());
            assertThat(dst.payload()).isEqualTo(src.payload());
            assertThat(dst.version()).isNotEqualTo(src.version());

            Map<String, byte[]> srcRows = rows(ColumnFamily.SUB, 0, key);
            Map<String, byte[]> dstRows = rows(ColumnFamily.SUB, 0, key + "-copy");
            assertThat(dstRows.keySet()).as(key + ": same elements (list positions too)").isEqualTo(srcRows.keySet());
            assertThat(values(type, dstRows)).as(key + ": same values").isEqualTo(values(type, srcRows));
            if (type == ValueType.HASH) {
                assertThat(values(type, dstRows)).containsValue("7");
            }

            Set<Dot> srcDots = dots(type, srcRows);
            Set<Dot> dstDots = dots(type, dstRows);
            CausalContext srcContext = ElementCodec.decodeContext(src.context());
            CausalContext dstContext = ElementCodec.decodeContext(dst.context());
            assertThat(dstDots).as(key + ": one fresh dot per element").hasSize(dstRows.size()).doesNotContainAnyElementsOf(srcDots);
            for (Dot d : dstDots) {
                assertThat(dstContext.contains(d)).as(key + ": the copy's context holds its dots").isTrue();
                assertThat(srcContext.contains(d)).as(key + ": the source never saw the copy's dots").isFalse();
            }
            for (Dot d : srcDots) {
                assertThat(dstContext.contains(d)).as(key + ": the copy's context holds none of the source's dots").isFalse();
            }
            assertThat(dstContext.dotCount()).isEqualTo(dstRows.size());
            assertThat(rows(ColumnFamily.ZSCORE, 0, key + "-copy")).as(key + ": score index")
                    .hasSameSizeAs(rows(ColumnFamily.ZSCORE, 0, key))
                    .containsOnlyKeys(rows(ColumnFamily.ZSCORE, 0, key).keySet());
        }
        h.expect(":4", "DEL", "s", "h", "z", "l");
        assertThat(rows(ColumnFamily.SUB, 0, "s-copy")).as("deleting the source leaves the copy's rows").hasSize(3);
        h.expect("+set", "TYPE", "s-copy");
    }

    @Test
    void copyToAnotherDbWithReplaceDropsTheOldDestinationRows() throws Exception {
        writeSet(0, "s", "x");
        Metadata old = writeList(2, "s", "a", "b");
        h.expect(":0", "COPY", "s", "s", "DB", "2");
        h.expect(":1", "COPY", "s", "s", "DB", "2", "REPLACE");
        h.session.selectDb(2);
        h.expect("+set", "TYPE", "s");
        assertThat(rows(ColumnFamily.SUB, 2, "s", old.version())).as("the replaced list's rows").isEmpty();
        assertThat(values(ValueType.SET, rows(ColumnFamily.SUB, 2, "s"))).hasSize(1);
        h.session.selectDb(0);
        h.expect("+set", "TYPE", "s");
    }

    @Test
    void renameMovesTheStateUnchanged() throws Exception {
        Metadata src = writeZset(0, "z");
        Map<String, byte[]> before = rows(ColumnFamily.SUB, 0, "z");
        Map<String, byte[]> index = rows(ColumnFamily.ZSCORE, 0, "z");
        h.run("PEXPIRE", "z", "100000");
        h.expect("+OK", "RENAME", "z", "moved");
        h.expect(":0", "EXISTS", "z");
        assertThat(rows(ColumnFamily.SUB, 0, "z", src.version())).as("the source rows are gone").isEmpty();
        assertThat(rows(ColumnFamily.ZSCORE, 0, "z", src.version())).isEmpty();
        Metadata dst = meta(0, "moved");
        assertThat(dst.context()).as("a move keeps the causal context").isEqualTo(src.context());
        Map<String, byte[]> after = rows(ColumnFamily.SUB, 0, "moved");
        assertThat(after.keySet()).isEqualTo(before.keySet());
        after.forEach((k, v) -> assertThat(v).as("row " + k + " moved verbatim").isEqualTo(before.get(k)));
        assertThat(rows(ColumnFamily.ZSCORE, 0, "moved").keySet()).isEqualTo(index.keySet());
        h.expect(":100", "TTL", "moved");

        writeHash(0, "h");
        h.expect(":0", "RENAMENX", "h", "moved");
        h.expect(":1", "RENAMENX", "h", "h2");
        h.expect("+hash", "TYPE", "h2");
    }

    @Test
    void expiryRemovesEveryCollectionWithItsRows() {
        Metadata s = writeSet(0, "s", "x", "y");
        Metadata z = writeZset(0, "z");
        Metadata l = writeList(0, "l", "a");
        Metadata hh = writeHash(0, "h");
        h.expect(":1", "PEXPIRE", "s", "100");
        h.expect(":1", "EXPIRE", "z", "1");
        h.expect(":1", "PEXPIRE", "l", "100");
        h.expect(":1", "PEXPIRE", "h", "5000");
        h.expect(":1", "PERSIST", "h");
        h.expect(":-1", "TTL", "h");
        h.expect(":1", "TTL", "z");
        h.expect("+set", "TYPE", "s");
        assertThat(rows(ColumnFamily.SUB, 0, "s")).as("EXPIRE keeps the rows (same version)").hasSize(2);
        h.time.advance(2000);
        h.expect("+none", "TYPE", "s"); // passive expiry
        assertThat(h.ks.runCycle()).as("active expiry of the others").isEqualTo(2);
        assertThat(rows(ColumnFamily.SUB, 0, "s", s.version())).isEmpty();
        assertThat(rows(ColumnFamily.SUB, 0, "z", z.version())).isEmpty();
        assertThat(rows(ColumnFamily.ZSCORE, 0, "z", z.version())).isEmpty();
        assertThat(rows(ColumnFamily.SUB, 0, "l", l.version())).isEmpty();
        assertThat(rows(ColumnFamily.SUB, 0, "h", hh.version())).hasSize(3);
        h.expect(":1", "DBSIZE");
        h.expect(":1", "EXPIRE", "h", "0");
        assertThat(rows(ColumnFamily.SUB, 0, "h", hh.version())).as("EXPIRE in the past deletes").isEmpty();
        h.expect(":0", "DBSIZE");
    }

    @Test
    void copyKeepsTheTtlOfACollection() {
        writeList(0, "l", "a", "b");
        h.run("EXPIRE", "l", "100");
        h.expect(":1", "COPY", "l", "l2");
        h.expect(":100", "TTL", "l2");
        assertThat(rows(ColumnFamily.SUB, 0, "l2")).hasSize(2);
        // positions are identifiers, not dots: copied as they are, so the copy keeps the order
        List<Position> order = new ArrayList<>();
        rows(ColumnFamily.SUB, 0, "l2").keySet().forEach(k -> order.add(Position.fromSortKey(java.util.HexFormat.of().parseHex(k))));
        assertThat(order).isSorted();
    }
}
