package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.store.KeyDelta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The string and key commands in cluster mode (a {@code DeltaSink} set): every write reports the delta of each key it
 * changed, deletions included (as tombstones), tombstones stay invisible to every command, and DEBUG DIGEST tells
 * data sets apart.
 */
class ReplicatedKeyCommandsTest extends CommandHarnessTest {

    private final List<String> reported = new ArrayList<>();
    private final List<KeyDelta> deltas = new ArrayList<>();

    @BeforeEach
    void replicate() {
        h.ks.deltaSink((db, key, slot, delta) -> {
            reported.add(new String(key, StandardCharsets.UTF_8) + (delta.meta().tombstone() ? "(deleted)" : ""));
            deltas.add(delta);
        });
    }

    /** Runs a command and returns the keys whose deltas it reported. */
    private List<String> reports(String... command) {
        reported.clear();
        String reply = h.show(command);
        assertThat(reply).as(String.join(" ", command)).doesNotStartWith("-");
        return List.copyOf(reported);
    }

    @Test
    void everyStringAndKeyWriteReportsTheKeysItChanged() {
        assertThat(reports("SET", "a", "1")).containsExactly("a");
        assertThat(reports("SETEX", "b", "100", "x")).containsExactly("b");
        assertThat(reports("PSETEX", "b", "100000", "y")).containsExactly("b");
        assertThat(reports("SETNX", "c", "1")).containsExactly("c");
        assertThat(reports("SETNX", "c", "2")).isEmpty();
        assertThat(reports("GETSET", "c", "3")).containsExactly("c");
        assertThat(reports("MSET", "d", "1", "e", "2")).containsExactly("d", "e");
        assertThat(reports("MSETNX", "f", "1", "g", "2")).containsExactly("f", "g");
        assertThat(reports("INCR", "n")).containsExactly("n");
        assertThat(reports("DECR", "n")).containsExactly("n");
        assertThat(reports("INCRBY", "n", "5")).containsExactly("n");
        assertThat(reports("DECRBY", "n", "2")).containsExactly("n");
        assertThat(reports("INCRBYFLOAT", "fl", "1.5")).containsExactly("fl");
        assertThat(reports("APPEND", "a", "x")).containsExactly("a");
        assertThat(reports("SETRANGE", "a", "0", "z")).containsExactly("a");
        assertThat(reports("EXPIRE", "a", "100")).containsExactly("a");
        assertThat(reports("PEXPIRE", "a", "100000")).containsExactly("a");
        assertThat(reports("EXPIREAT", "a", String.valueOf(h.time.getAsLong() / 1000 + 100))).containsExactly("a");
        assertThat(reports("PERSIST", "a")).containsExactly("a");
        assertThat(reports("GETEX", "a", "EX", "50")).containsExactly("a");
        assertThat(reports("RENAME", "a", "a2")).containsExactlyInAnyOrder("a2", "a(deleted)");
        assertThat(reports("COPY", "a2", "a3")).containsExactly("a3");
        assertThat(reports("GETDEL", "a3")).containsExactly("a3(deleted)");
        assertThat(reports("DEL", "b", "missing")).containsExactly("b(deleted)");
        assertThat(reports("UNLINK", "c")).containsExactly("c(deleted)");
        assertThat(reports("SET", "g", "x", "EXAT", "1")).containsExactly("g(deleted)");
        // every reported delta survives the wire
        for (KeyDelta d : deltas) {
            assertThat(KeyDelta.decode(d.encode())).isEqualTo(d);
        }
    }

    @Test
    void deletedKeysAreInvisibleToEveryCommand() {
        h.run("MSET", "gone", "1", "kept", "2");
        h.run("EXPIRE", "gone", "100");
        h.expect(":1", "DEL", "gone");
        h.expect(":1", "DBSIZE");
        h.expect(":0", "EXISTS", "gone");
        h.expect("+none", "TYPE", "gone");
        h.expect(":-2", "TTL", "gone");
        h.expect("nil", "GET", "gone");
        h.expect("[\"kept\"]", "KEYS", "*");
        h.expect("[\"0\", [\"kept\"]]", "SCAN", "0");
        h.expect("\"kept\"", "RANDOMKEY");
        h.expect(":0", "DEL", "gone");
        h.expect("-ERR no such key", "RENAME", "gone", "x");
        h.expect(":1", "INCR", "gone");
        h.expect(":-1", "TTL", "gone");
        h.expect(":2", "DBSIZE");
    }

    @Test
    void debugDigestTellsDataSetsApartAndIsZeroWhenEmpty() {
        String zeros = "+" + "0".repeat(40);
        h.expect(zeros, "DEBUG", "DIGEST");
        h.run("SET", "a", "1");
        String one = h.show("DEBUG", "DIGEST");
        assertThat(one).matches("\\+[0-9a-f]{40}").isNotEqualTo(zeros);
        h.run("SET", "b", "2");
        assertThat(h.show("DEBUG", "DIGEST")).isNotEqualTo(one);
        h.run("DEL", "b");
        assertThat(h.show("DEBUG", "DIGEST")).isEqualTo(one);
        assertThat(h.show("DEBUG", "DIGEST-VALUE", "a", "b")).matches("\\[\\+[0-9a-f]{40}, \\+0{40}\\]");
        h.run("DEL", "a");
        h.expect(zeros, "DEBUG", "DIGEST");
        h.expect("-ERR unknown subcommand or wrong number of arguments for 'nope'. Try DEBUG HELP.", "DEBUG", "nope");
    }
}
