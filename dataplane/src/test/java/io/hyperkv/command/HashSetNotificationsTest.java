package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.store.HashStore;
import io.hyperkv.store.SetStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The hash and set commands report Redis's keyspace events (t_hash.c, t_set.c), and only on a real change. */
class HashSetNotificationsTest extends CommandHarnessTest {

    private final List<String> events = new ArrayList<>();
    private Dispatcher dispatcher;

    @BeforeEach
    void registerWithARecordingNotifier() {
        Notifier recorder = (type, event, db, key) -> events.add(type + ":" + event + ":" + new String(key, StandardCharsets.UTF_8));
        CommandTable table = new CommandTable();
        new HashCommands(h.ks, new HashStore(h.ks), recorder).register(table);
        new SetCommands(h.ks, new SetStore(h.ks), recorder).register(table);
        dispatcher = new Dispatcher(table);
    }

    private List<String> after(String... command) {
        events.clear();
        byte[][] argv = new byte[command.length][];
        for (int i = 0; i < command.length; i++) {
            argv[i] = command[i].getBytes(StandardCharsets.UTF_8);
        }
        dispatcher.dispatch(h.session, argv);
        return new ArrayList<>(events);
    }

    @Test
    void setEvents() {
        String set = Notifier.SET + ":";
        String generic = Notifier.GENERIC + ":";
        assertThat(after("SADD", "s", "a", "b", "c")).containsExactly(set + "sadd:s");
        assertThat(after("SADD", "s", "a")).isEmpty();
        assertThat(after("SREM", "s", "zz")).isEmpty();
        assertThat(after("SREM", "s", "a")).containsExactly(set + "srem:s");
        assertThat(after("SPOP", "s")).containsExactly(set + "spop:s");
        assertThat(after("SADD", "d", "x")).containsExactly(set + "sadd:d");
        assertThat(after("SMOVE", "s", "d", "x")).isEmpty();
        String last = CommandHarness.render(dispatcher.dispatch(h.session, new byte[][] {"SPOP".getBytes(), "s".getBytes()}))
                .replace("\"", "");
        assertThat(after("SADD", "s", last)).containsExactly(set + "sadd:s");
        assertThat(after("SMOVE", "s", "d", last)).containsExactly(set + "srem:s", generic + "del:s", set + "sadd:d");
        assertThat(after("SUNIONSTORE", "u", "d")).containsExactly(set + "sunionstore:u");
        assertThat(after("SINTERSTORE", "u", "d", "nope")).containsExactly(generic + "del:u");
        assertThat(after("SDIFFSTORE", "u", "nope")).isEmpty();
        assertThat(after("SREM", "d", "x", last)).containsExactly(set + "srem:d", generic + "del:d");
    }

    @Test
    void hashEvents() {
        String hash = Notifier.HASH + ":";
        assertThat(after("HSET", "h", "a", "1")).containsExactly(hash + "hset:h");
        assertThat(after("HSETNX", "h", "a", "1")).isEmpty();
        assertThat(after("HSETNX", "h", "b", "1")).containsExactly(hash + "hset:h");
        assertThat(after("HINCRBY", "h", "n", "1")).containsExactly(hash + "hincrby:h");
        assertThat(after("HINCRBY", "h", "a", "x")).isEmpty();
        assertThat(after("HINCRBYFLOAT", "h", "f", "1.5")).containsExactly(hash + "hincrbyfloat:h");
        assertThat(after("HDEL", "h", "zz")).isEmpty();
        assertThat(after("HDEL", "h", "a", "b", "n")).containsExactly(hash + "hdel:h");
        assertThat(after("HDEL", "h", "f")).containsExactly(hash + "hdel:h", Notifier.GENERIC + ":del:h");
    }
}
