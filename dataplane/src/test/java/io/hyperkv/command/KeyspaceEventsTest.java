package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link KeyspaceEvents}: the flag syntax of notify-keyspace-events as Redis parses and prints it,
 * the two channels, and, on a real store with a manual clock, that expiry (passive, active, and a
 * write over a dead key) reports {@code expired} exactly once.
 */
class KeyspaceEventsTest {

    @TempDir
    Path dir;

    private final List<String> published = new CopyOnWriteArrayList<>();
    private final KeyspaceEvents events = new KeyspaceEvents((channel, message) ->
            published.add(new String(channel, StandardCharsets.UTF_8) + " " + new String(message, StandardCharsets.UTF_8)));
    private CommandHarness h;

    @BeforeEach
    void open() {
        h = new CommandHarness(dir, events);
        events.following(h.settings);
    }

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void flagsReadBackInRedisCanonicalForm() {
        // each pair: what CONFIG SET was given, what redis-server 7.0.15 showed in CONFIG GET
        String[][] cases = {{"KEA", "AKE"}, {"Ex", "xE"}, {"gE$", "g$E"}, {"AKEmn", "AKEm"}, {"xgK", "gxK"},
            {"", ""}, {"lsh", "lsh"}, {"A", "A"}, {"g$lshzxetd", "A"}, {"nnE", "nE"}};
        for (String[] c : cases) {
            assertThat(KeyspaceEvents.canonical(c[0])).as(c[0]).isEqualTo(c[1]);
        }
        assertThat(KeyspaceEvents.parse("KEq")).isEqualTo(-1);
        assertThatThrownBy(() -> KeyspaceEvents.canonical("KEq"))
                .hasMessage("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        assertThat(KeyspaceEvents.parse("A") & Notifier.KEY_MISS).as("A leaves out keymiss").isZero();
        assertThat(KeyspaceEvents.parse("A") & Notifier.NEW).as("A leaves out new").isZero();
    }

    @Test
    void configSetChangesWhatIsPublished() {
        h.expect("+OK", "SET", "k", "v");
        assertThat(published).as("off by default").isEmpty();
        assertThat(events.enabled(Notifier.STRING)).isFalse();
        h.expect("+OK", "CONFIG", "SET", "notify-keyspace-events", "K$");
        h.expect("[\"notify-keyspace-events\", \"$K\"]", "CONFIG", "GET", "notify-keyspace-events");
        h.run("SELECT", "3");
        h.session.selectDb(3);
        h.expect("+OK", "SET", "k", "v");
        h.expect(":1", "DEL", "k");
        assertThat(published).as("only K (keyspace channel), only $ (no generic del)")
                .containsExactly("__keyspace@3__:k set");
        h.expect("+OK", "CONFIG", "SET", "notify-keyspace-events", "$");
        h.expect("+OK", "SET", "k", "v");
        assertThat(published).as("a class without K or E publishes nothing").hasSize(1);
    }

    @Test
    void activeExpiryReportsExpiredOnce() {
        events.flags(KeyspaceEvents.parse("Ex"));
        h.expect("+OK", "SET", "k", "v", "PX", "100");
        h.time.advance(200);
        assertThat(h.ks.runCycle()).isEqualTo(1);
        assertThat(h.ks.runCycle()).isZero();
        h.expect("nil", "GET", "k");
        assertThat(published).containsExactly("__keyevent@0__:expired k");
    }

    @Test
    void passiveExpiryReportsExpiredBeforeTheReadMisses() {
        events.flags(KeyspaceEvents.parse("KExm"));
        h.expect("+OK", "SET", "k", "v", "PX", "100");
        h.time.advance(200);
        h.expect("nil", "GET", "k");
        h.expect("nil", "GET", "k");
        assertThat(h.ks.runCycle()).isZero();
        assertThat(published).containsExactly(
                "__keyspace@0__:k expired", "__keyevent@0__:expired k",
                "__keyspace@0__:k keymiss", "__keyevent@0__:keymiss k",
                "__keyspace@0__:k keymiss", "__keyevent@0__:keymiss k");
    }

    @Test
    void aWriteOverADeadKeyExpiresItFirst() {
        events.flags(KeyspaceEvents.parse("EA"));
        h.expect("+OK", "SET", "a", "v", "PX", "100");
        h.expect("+OK", "MSET", "b", "1", "c", "1");
        h.expect(":1", "PEXPIRE", "b", "100");
        h.expect("+OK", "SET", "d", "1", "PX", "100");
        published.clear();
        h.time.advance(200);
        h.expect("+OK", "SET", "a", "w");
        h.expect("+OK", "MSET", "b", "2");
        h.expect(":0", "DEL", "d");
        assertThat(published).containsExactly(
                "__keyevent@0__:expired a", "__keyevent@0__:set a",
                "__keyevent@0__:expired b", "__keyevent@0__:set b",
                "__keyevent@0__:expired d");
    }
}
