package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Engine;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.ManualTime;
import io.hyperkv.store.RocksDbEngine;
import io.hyperkv.store.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Real RocksDB, real command table, a test session: handler tests call {@link #run} with a command line. */
final class CommandHarness implements AutoCloseable {

    final ManualTime time = new ManualTime();
    final Engine engine;
    final Keyspace ks;
    final Settings settings = new Settings();
    final CommandTable table;
    final Dispatcher dispatcher;
    final TestSession session = new TestSession();
    final List<String> shutdowns = new ArrayList<>();

    CommandHarness(Path dir) {
        this(dir, Notifier.NONE);
    }

    /** A harness whose commands report keyspace events to {@code notifier}. */
    CommandHarness(Path dir, Notifier notifier) {
        this(dir, notifier, ClusterView.DISABLED);
    }

    /** A harness whose CLUSTER commands and INFO read {@code cluster}. */
    CommandHarness(Path dir, Notifier notifier, ClusterView cluster) {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        ks = new Keyspace(engine, new TestClock(time, 1), 16, time);
        ServerHooks hooks = new ServerHooks() {
            @Override
            public List<InfoSection> infoSections() {
                return List.of(new InfoSection() {
                    @Override
                    public String name() {
                        return "Server";
                    }

                    @Override
                    public java.util.Map<String, String> fields() {
                        return java.util.Map.of("redis_version", "7.0.15");
                    }
                });
            }

            @Override
            public String shutdown(boolean save, boolean now, boolean force) {
                shutdowns.add("save=" + save);
                return null;
            }

            @Override
            public ClusterView cluster() {
                return cluster;
            }
        };
        table = Commands.standard(ks, settings, hooks, notifier);
        dispatcher = new Dispatcher(table);
    }

    Reply run(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return dispatcher.dispatch(session, argv);
    }

    /** The reply rendered compactly: +s, -err, :n, "bulk", nil, [a, b]. */
    String show(String... args) {
        return render(run(args));
    }

    static String render(Reply r) {
        if (r == null) {
            return "(no reply)";
        }
        if (r instanceof Reply.SimpleString s) {
            return "+" + s.text();
        } else if (r instanceof Reply.Error e) {
            return "-" + e.message();
        } else if (r instanceof Reply.Int i) {
            return ":" + i.value();
        } else if (r instanceof Reply.Bulk b) {
            return "\"" + new String(b.bytes(), StandardCharsets.UTF_8) + "\"";
        } else if (r instanceof Reply.Verbatim v) {
            return "\"" + new String(v.text(), StandardCharsets.UTF_8) + "\"";
        } else if (r instanceof Reply.DoubleReply d) {
            // as RESP2 sends it: a bulk string in Redis 7.2's double format
            return "\"" + io.hyperkv.resp.RedisDouble.format(d.value()) + "\"";
        } else if (r instanceof Reply.Null) {
            return "nil";
        } else if (r instanceof Reply.Array a) {
            return list(a.items());
        } else if (r instanceof Reply.MapReply m) {
            return list(m.keysAndValues());
        } else if (r instanceof Reply.SetReply s) {
            return list(s.items());
        }
        return r.toString();
    }

    private static String list(List<Reply> items) {
        List<String> parts = new ArrayList<>();
        for (Reply i : items) {
            parts.add(render(i));
        }
        return "[" + String.join(", ", parts) + "]";
    }

    void expect(String expected, String... args) {
        assertThat(show(args)).as(String.join(" ", args)).isEqualTo(expected);
    }

    @Override
    public void close() {
        engine.close();
    }
}
