package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.ADMIN;
import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.LOADING;
import static io.hyperkv.command.CommandFlag.NOSCRIPT;
import static io.hyperkv.command.CommandFlag.NO_MULTI;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.STALE;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Checkpoints;
import io.hyperkv.store.Keyspace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Server commands: INFO, CONFIG, TIME, SAVE/BGSAVE/LASTSAVE (RocksDB checkpoints named
 * {@code save-<ms>} under the data dir, only the latest kept) and SHUTDOWN through the server's hook.
 */
final class ServerCommands extends Family {

    private static final Logger LOG = Logger.getLogger(ServerCommands.class.getName());

    private static final List<String> CONFIG_HELP = List.of(
            "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "GET <pattern>",
            "    Return parameters matching the glob-like <pattern> and their values.",
            "SET <directive> <value>",
            "    Set the configuration <directive> to <value>.",
            "RESETSTAT",
            "    Reset statistics reported by the INFO command.",
            "REWRITE",
            "    Rewrite the configuration file.",
            "HELP",
            "    Prints this help.");

    private final Keyspace ks;
    private final Settings settings;
    private final ServerHooks hooks;
    private final Info info;
    private final Checkpoints checkpoints;
    private final AtomicBoolean saving = new AtomicBoolean();
    private final ExecutorService background;
    private volatile long lastSaveMillis;
    private volatile long saveStartedMillis = -1;
    private volatile long lastSaveDurationMillis = -1;
    private volatile boolean lastSaveOk = true;
    private volatile long dirtyAtLastSave;

    ServerCommands(Keyspace ks, Settings settings, ServerHooks hooks, Info info) {
        this.ks = ks;
        this.settings = settings;
        this.hooks = hooks;
        this.info = info;
        this.checkpoints = new Checkpoints(ks.engine());
        this.lastSaveMillis = System.currentTimeMillis();
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "hyperkv-bgsave");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("info", -1).flags(LOADING, STALE).acl("slow", "dangerous").handler(guarded(this::info)).build());
        t.register(cmd("time", 1).flags(LOADING, STALE, FAST).acl("fast").handler(guarded(this::time)).build());
        t.register(cmd("save", 1).flags(ADMIN, NOSCRIPT, NO_MULTI, SLOW_PATH).acl("admin", "slow", "dangerous").handler(guarded(this::save)).build());
        t.register(cmd("bgsave", -1).flags(ADMIN, NOSCRIPT).acl("admin", "slow", "dangerous").handler(guarded(this::bgsave)).build());
        t.register(cmd("lastsave", 1).flags(LOADING, STALE, FAST).acl("admin", "fast", "dangerous").handler(guarded((s, a) -> Reply.integer(lastSaveMillis / 1000))).build());
        t.register(cmd("shutdown", -1).flags(ADMIN, NOSCRIPT, LOADING, STALE, NO_MULTI, CommandFlag.ALLOW_BUSY, SLOW_PATH)
                .acl("admin", "slow", "dangerous").handler(guarded(this::shutdown)).build());
        t.register(cmd("config", -2).acl("slow")
                .sub(cmd("config|get", -3).flags(ADMIN, NOSCRIPT, LOADING, STALE).acl("admin", "slow", "dangerous").handler(guarded(this::configGet)).build())
                .sub(cmd("config|set", -4).flags(ADMIN, NOSCRIPT, LOADING, STALE).acl("admin", "slow", "dangerous").handler(guarded(this::configSet)).build())
                .sub(cmd("config|resetstat", 2).flags(ADMIN, NOSCRIPT, LOADING, STALE).acl("admin", "slow", "dangerous").handler(guarded(this::resetstat)).build())
                .sub(cmd("config|rewrite", 2).flags(ADMIN, NOSCRIPT, LOADING, STALE).acl("admin", "slow", "dangerous")
                        .handler((s, a) -> Reply.error("ERR The server is running without a config file")).build())
                .sub(cmd("config|help", 2).flags(LOADING, STALE).acl("slow").handler((s, a) -> KeyCommands.help(CONFIG_HELP)).build())
                .build());
    }

    private Reply info(ClientSession s, byte[][] a) {
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < a.length; i++) {
            wanted.add(Args.lower(a[i]));
        }
        return new Reply.Verbatim("txt", info.render(wanted, this).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Fields of the {@code persistence} section that this family owns. */
    Map<String, String> persistenceFields() {
        Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("loading", "0");
        f.put("async_loading", "0");
        f.put("rdb_changes_since_last_save", Long.toString(Math.max(0, ks.stats().dirty() - dirtyAtLastSave)));
        f.put("rdb_bgsave_in_progress", saving.get() ? "1" : "0");
        f.put("rdb_last_save_time", Long.toString(lastSaveMillis / 1000));
        f.put("rdb_last_bgsave_status", lastSaveOk ? "ok" : "err");
        f.put("rdb_last_bgsave_time_sec", Long.toString(lastSaveDurationMillis < 0 ? -1 : lastSaveDurationMillis / 1000));
        long started = saveStartedMillis;
        f.put("rdb_current_bgsave_time_sec", Long.toString(saving.get() && started >= 0 ? (System.currentTimeMillis() - started) / 1000 : -1));
        f.put("aof_enabled", "1");
        f.put("aof_rewrite_in_progress", "0");
        f.put("aof_rewrite_scheduled", "0");
        f.put("aof_last_write_status", "ok");
        f.put("appendfsync", ks.engine().fsync().redisName());
        return f;
    }

    private Reply time(ClientSession s, byte[][] a) {
        java.time.Instant now = java.time.Instant.now();
        return Reply.array(List.of(Reply.bulk(Long.toString(now.getEpochSecond())),
                Reply.bulk(Long.toString(now.getNano() / 1000))));
    }

    /** Makes a checkpoint named after its start time and removes the previous SAVE checkpoints. */
    private void doSave() {
        long start = System.currentTimeMillis();
        saveStartedMillis = start;
        long dirty = ks.stats().dirty();
        try {
            ks.engine().sync();
            String id = "save-" + start;
            checkpoints.create(id);
            for (Checkpoints.Info c : checkpoints.list()) {
                if (c.id().startsWith("save-") && !c.id().equals(id)) {
                    checkpoints.delete(c.id());
                }
            }
            lastSaveOk = true;
            lastSaveMillis = System.currentTimeMillis();
            dirtyAtLastSave = dirty;
            LOG.info(() -> "checkpoint " + id + " saved in " + (System.currentTimeMillis() - start) + " ms");
        } catch (RuntimeException e) {
            lastSaveOk = false;
            LOG.log(Level.SEVERE, "SAVE failed", e);
            throw e;
        } finally {
            lastSaveDurationMillis = System.currentTimeMillis() - start;
        }
    }

    private Reply save(ClientSession s, byte[][] a) {
        if (!saving.compareAndSet(false, true)) {
            return Reply.error("ERR Background save already in progress");
        }
        try {
            doSave();
            return Reply.OK;
        } catch (RuntimeException e) {
            return Reply.error("ERR " + e.getMessage());
        } finally {
            saving.set(false);
        }
    }

    private Reply bgsave(ClientSession s, byte[][] a) {
        boolean schedule = false;
        if (a.length > 2 || (a.length == 2 && !(schedule = Args.is(a[1], "schedule")))) {
            return Reply.error(Errors.SYNTAX);
        }
        if (!saving.compareAndSet(false, true)) {
            return schedule ? Reply.simple("Background saving scheduled")
                    : Reply.error("ERR Background save already in progress");
        }
        background.execute(() -> {
            try {
                doSave();
            } catch (RuntimeException e) {
                // logged and reported through rdb_last_bgsave_status
            } finally {
                saving.set(false);
            }
        });
        return Reply.simple("Background saving started");
    }

    /** True while a SAVE/BGSAVE runs: for tests and the admin API. */
    boolean saving() {
        return saving.get();
    }

    private Reply shutdown(ClientSession s, byte[][] a) {
        boolean save = false;
        boolean nosave = false;
        boolean now = false;
        boolean force = false;
        boolean abort = false;
        for (int i = 1; i < a.length; i++) {
            if (Args.is(a[i], "nosave")) {
                nosave = true;
            } else if (Args.is(a[i], "save")) {
                save = true;
            } else if (Args.is(a[i], "now")) {
                now = true;
            } else if (Args.is(a[i], "force")) {
                force = true;
            } else if (Args.is(a[i], "abort")) {
                abort = true;
            } else {
                return Reply.error(Errors.SYNTAX);
            }
        }
        if ((abort && a.length != 2) || (save && nosave)) {
            return Reply.error(Errors.SYNTAX);
        }
        if (abort) {
            return Reply.error("ERR No shutdown in progress.");
        }
        if (save) {
            try {
                doSave();
            } catch (RuntimeException e) {
                if (!force) {
                    return Reply.error("ERR Errors trying to SHUTDOWN. Check logs.");
                }
            }
        }
        String refused = hooks.shutdown(save, now, force);
        return refused == null ? null : Reply.error(refused);
    }

    private Reply configGet(ClientSession s, byte[][] a) {
        List<byte[]> patterns = new ArrayList<>();
        for (int i = 2; i < a.length; i++) {
            patterns.add(a[i]);
        }
        List<Reply> kv = new ArrayList<>();
        for (Map.Entry<String, String> e : settings.matching(patterns).entrySet()) {
            kv.add(Reply.bulk(e.getKey()));
            kv.add(Reply.bulk(e.getValue()));
        }
        return new Reply.MapReply(kv);
    }

    private Reply configSet(ClientSession s, byte[][] a) {
        if ((a.length - 2) % 2 != 0) {
            return Reply.error(Errors.SYNTAX);
        }
        List<String> pairs = new ArrayList<>();
        for (int i = 2; i < a.length; i++) {
            pairs.add(Args.text(a[i]));
        }
        String error = settings.set(pairs);
        return error == null ? Reply.OK : Reply.error(error);
    }

    private Reply resetstat(ClientSession s, byte[][] a) {
        ks.stats().reset();
        for (InfoSection section : hooks.infoSections()) {
            section.resetStats();
        }
        return Reply.OK;
    }
}
