package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.KeyCodec;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.TestClock;
import io.hyperkv.store.ValueType;
import io.hyperkv.store.Encoding;
import io.hyperkv.crdt.Stamp;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderedKeyCommandsTest extends CommandHarnessTest {

    private void mset(String... keys) {
        for (String k : keys) {
            h.run("SET", k, "v-" + k);
        }
    }

    @Test
    void keysComeInByteOrderWhateverTheirSlots() {
        mset("b", "a", "ab", "aa", "c", "ÿ", "B");
        h.expect("[\"B\", \"a\", \"aa\", \"ab\", \"b\", \"c\", \"ÿ\"]", "KRANGE", "-", "+");
        h.expect("[\"a\", \"aa\", \"ab\"]", "KRANGE", "[a", "(b");
        h.expect("[\"aa\", \"ab\", \"b\"]", "KRANGE", "(a", "[b");
        h.expect("[\"aa\", \"ab\"]", "KRANGE", "(a", "(b");
        h.expect("[\"b\", \"c\", \"ÿ\"]", "KRANGE", "[b", "+");
        h.expect("[\"B\", \"a\"]", "KRANGE", "-", "[a");
        h.expect("[\"a\", \"aa\"]", "KRANGE", "[a", "+", "LIMIT", "2");
        h.expect("[\"a\", \"aa\", \"ab\", \"b\", \"c\", \"ÿ\"]", "KRANGE", "[a", "+", "LIMIT", "-1");
        h.expect("[]", "KRANGE", "[a", "+", "LIMIT", "0");
        h.expect("[]", "KRANGE", "[c", "[a");
        h.expect("[]", "KRANGE", "(a", "(a");
        h.expect("[\"a\"]", "KRANGE", "[a", "[a");
        h.expect("[]", "KRANGE", "+", "-");
        h.expect("[]", "KRANGE", "+", "+");
        h.expect("[\"a\", \"v-a\", \"aa\", \"v-aa\"]", "KRANGE", "[a", "[aa", "WITHVALUES");
        h.expect("[\"a\", \"v-a\"]", "KRANGE", "[a", "+", "WITHVALUES", "LIMIT", "1");
    }

    @Test
    void badArgumentsGetRedisStyleErrors() {
        h.expect("-ERR min or max not valid string range item", "KRANGE", "a", "+");
        h.expect("-ERR min or max not valid string range item", "KRANGE", "-", "");
        h.expect("-ERR min or max not valid string range item", "KRANGE", "--", "+");
        h.expect("-ERR syntax error", "KRANGE", "-", "+", "LIMIT");
        h.expect("-ERR syntax error", "KRANGE", "-", "+", "FOO");
        h.expect("-ERR value is not an integer or out of range", "KRANGE", "-", "+", "LIMIT", "x");
        h.expect("-ERR wrong number of arguments for 'krange' command", "KRANGE", "-");
    }

    @Test
    void expiredDeletedRenamedCopiedAndFlushedKeysAreTrackedPerDb() {
        mset("k1", "k2", "k3", "k4");
        h.run("PEXPIRE", "k2", "100");
        h.run("DEL", "k3");
        h.run("RENAME", "k4", "k0");
        h.run("COPY", "k1", "k9");
        h.run("COPY", "k1", "k5", "DB", "1");
        h.expect("[\"k0\", \"k1\", \"k2\", \"k9\"]", "KRANGE", "-", "+");
        h.time.advance(200);
        h.expect("[\"k0\", \"k1\", \"k9\"]", "KRANGE", "-", "+");
        assertThat(h.ks.runCycle()).isEqualTo(1);
        assertThat(orderRows(0)).as("expiry removed the index row").hasSize(3);
        h.session.selectDb(1);
        h.expect("[\"k5\", \"v-k1\"]", "KRANGE", "-", "+", "WITHVALUES");
        h.run("FLUSHDB");
        h.expect("[]", "KRANGE", "-", "+");
        h.session.selectDb(0);
        h.expect(":3", "DBSIZE");
        h.run("FLUSHALL");
        assertThat(orderRows(0)).isEmpty();
    }

    @Test
    void aCollectionIsListedWithANilValue() {
        h.run("SET", "s1", "x");
        byte[] key = "set".getBytes(StandardCharsets.UTF_8);
        Stamp stamp = h.ks.clock().next();
        try (Keyspace.Changes c = h.ks.changes()) {
            c.put(0, key, new Metadata(ValueType.SET, Encoding.HASHTABLE, stamp.time(), stamp, 0, null, 1, null, null));
            c.putSub(ColumnFamily.SUB, KeyCodec.sub(0, key, stamp.time(), "m".getBytes()), new byte[] {1});
            c.commit();
        }
        h.expect("[\"s1\", \"x\", \"set\", nil]", "KRANGE", "-", "+", "WITHVALUES");
        h.run("DEL", "set");
        h.expect("[\"s1\"]", "KRANGE", "-", "+");
    }

    @Test
    void aStoreWithoutTheIndexGetsItBuiltAtStart() {
        mset("x", "y", "z");
        h.session.selectDb(2);
        mset("w");
        // what a store written before the index existed looks like: no ORDER rows, no "built" marker
        h.engine.deleteRange(ColumnFamily.ORDER, KeyCodec.dbStart(0), KeyCodec.dbStart(16));
        h.engine.delete(ColumnFamily.SYS, "key-order-index".getBytes(StandardCharsets.US_ASCII));
        assertThat(orderRows(0)).isEmpty();
        Keyspace reopened = new Keyspace(h.engine, new TestClock(h.time, 1), 16, h.time);
        List<String> keys = new ArrayList<>();
        reopened.keyRange(0, new byte[0], null, -1).forEach(e -> keys.add(new String(e.key(), StandardCharsets.UTF_8)));
        assertThat(keys).containsExactly("x", "y", "z");
        assertThat(reopened.keyRange(2, new byte[0], null, -1)).hasSize(1);
        assertThat(reopened.size(0)).isEqualTo(3);
        // once built, a later start does not rebuild: rows removed behind its back stay removed
        h.engine.deleteRange(ColumnFamily.ORDER, KeyCodec.dbStart(2), KeyCodec.dbStart(3));
        assertThat(new Keyspace(h.engine, new TestClock(h.time, 1), 16, h.time).keyRange(2, new byte[0], null, -1)).isEmpty();
    }

    private List<byte[]> orderRows(int db) {
        List<byte[]> out = new ArrayList<>();
        try (var c = h.engine.iterate(ColumnFamily.ORDER, KeyCodec.dbStart(db), KeyCodec.dbEnd(db))) {
            for (; c.valid(); c.next()) {
                out.add(c.key());
            }
        }
        return out;
    }
}
