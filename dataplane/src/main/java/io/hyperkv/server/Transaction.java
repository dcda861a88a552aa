package io.hyperkv.server;

import io.hyperkv.command.ClientSession;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.Dispatcher;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeyLocks;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One connection's MULTI/EXEC state and its WATCHed keys, with Redis 7.2's semantics:
 * <ul>
 *   <li>Between MULTI and EXEC every command but EXEC, DISCARD, MULTI, WATCH, QUIT and RESET is
 *       validated (unknown command or subcommand, NOAUTH, arity, {@code no_multi}) and queued
 *       ({@code +QUEUED}); a refused one is answered with its error and flags the transaction, whose
 *       EXEC then answers {@code EXECABORT} and runs nothing.</li>
 *   <li>EXEC takes the key stripes of every queued command (their key positions, in the db each one
 *       will run in, following queued SELECTs) and of every watched key, all in one ascending
 *       acquisition, or every stripe when a queued command touches the keyspace without naming
 *       its keys (FLUSHALL, KEYS, KRANGE, COPY ... DB). Holding them it checks the watched keys
 *       (touched since WATCH, or expired by now: null reply, nothing runs) and then runs the
 *       queue: no other client's command on those keys can interleave, readers included (the
 *       dispatcher locks readers). A runtime error of one command is its entry in the reply array.</li>
 *   <li>EXEC, DISCARD and RESET end the transaction and unwatch everything.</li>
 * </ul>
 * Touched by the owning connection's thread (its event loop, or the worker an EXEC runs on while
 * the connection is busy); CLIENT LIST reads the volatile fields from elsewhere.
 */
final class Transaction {

    static final Reply EXECABORT = Reply.error("EXECABORT Transaction discarded because of previous errors.");

    private final WatchedKeys.Watcher watcher;
    private final List<byte[][]> queued = new ArrayList<>();
    private final List<CommandSpec> specs = new ArrayList<>();
    private volatile boolean active;
    private volatile int queuedCount;
    /** Set on the connection's loop before EXEC goes to a worker, cleared by the EXEC's reset: the connection must not touch us meanwhile. */
    private volatile boolean onWorker;
    private boolean aborted;
    private boolean slow;
    private boolean writes;

    Transaction(WatchedKeys.Watcher watcher) {
        this.watcher = watcher;
    }

    /** Between MULTI and the end of EXEC/DISCARD. */
    boolean active() {
        return active;
    }

    /** CLIENT LIST's {@code multi=}: queued commands, or -1 outside MULTI. */
    int multiField() {
        return active ? queuedCount : -1;
    }

    /** CLIENT LIST's {@code d} flag: a watched key was touched, EXEC will fail. */
    boolean dirty() {
        return watcher.dirty();
    }

    /** The commands Redis runs at once even inside MULTI. */
    static boolean runsImmediately(CommandSpec spec) {
        if (spec == null) {
            return false;
        }
        return switch (spec.name()) {
            case "exec", "discard", "multi", "watch", "quit", "reset" -> true;
            default -> false;
        };
    }

    /** True when EXEC must run on a worker: a queued command is {@link CommandFlag#SLOW_PATH}. */
    boolean slow() {
        return slow;
    }

    /** True when EXEC may write (its reply then waits for the fsync like any write's). */
    boolean writes() {
        return writes;
    }

    /** The connection hands EXEC to a worker: until it ends the worker owns this state. */
    void handedToWorker() {
        onWorker = true;
    }

    boolean onWorker() {
        return onWorker;
    }

    Reply multi() {
        if (active) {
            return Reply.error("ERR MULTI calls can not be nested");
        }
        active = true;
        return Reply.OK;
    }

    /** Validates and queues one command; the reply is {@code +QUEUED} or the refusal. */
    Reply queue(Dispatcher dispatcher, ClientSession session, CommandSpec spec, byte[][] argv) {
        Reply refused = dispatcher.check(session, argv);
        if (refused == null && spec.has(CommandFlag.NO_MULTI)) {
            refused = Reply.error("ERR Command not allowed inside a transaction");
        }
        if (refused != null) {
            aborted = true;
            return refused;
        }
        queued.add(argv);
        specs.add(spec);
        queuedCount = queued.size();
        slow |= spec.has(CommandFlag.SLOW_PATH);
        // a command that is neither a reader nor a writer by flag may still write (unknown to us): count it
        writes |= spec.has(CommandFlag.WRITE) || !spec.has(CommandFlag.READONLY);
        return Reply.QUEUED;
    }

    /** Answers a command MULTI may not queue for a reason found outside the dispatcher (CROSSSLOT): flags EXEC. */
    Reply refuse(Reply refusal) {
        aborted = true;
        return refusal;
    }

    /** A refused command flagged this transaction: EXEC answers EXECABORT. */
    boolean aborted() {
        return aborted;
    }

    /** The queued commands, in order (read-only view; for the cluster router at EXEC). */
    List<byte[][]> queued() {
        return java.util.Collections.unmodifiableList(queued);
    }

    /** The specs of {@link #queued()}, index for index. */
    List<CommandSpec> specs() {
        return java.util.Collections.unmodifiableList(specs);
    }

    Reply discard() {
        if (!active) {
            return Reply.error("ERR DISCARD without MULTI");
        }
        reset();
        return Reply.OK;
    }

    /** Ends any transaction and unwatches everything (DISCARD, RESET, connection closed). */
    void reset() {
        active = false;
        aborted = false;
        slow = false;
        writes = false;
        queued.clear();
        specs.clear();
        queuedCount = 0;
        watcher.unwatchAll();
        onWorker = false;
    }

    Reply watch(Keyspace ks, int db, byte[][] argv) {
        if (active) {
            return Reply.error("ERR WATCH inside MULTI is not allowed");
        }
        for (int i = 1; i < argv.length; i++) {
            byte[] key = argv[i];
            // an already expired key is removed (and its event fired) before we register: it is simply absent
            ks.exists(db, key);
            watcher.watch(db, key, () -> {
                Metadata m = ks.readStored(db, key);
                return m != null && !m.expiredAt(ks.now());
            });
        }
        return Reply.OK;
    }

    Reply unwatch() {
        watcher.unwatchAll();
        return Reply.OK;
    }

    /** EXEC, on the thread the connection chose ({@link #slow()}: a worker). */
    Reply exec(Dispatcher dispatcher, ClientSession session, Keyspace ks) {
        if (!active) {
            return Reply.error("ERR EXEC without MULTI");
        }
        if (aborted) {
            reset();
            return EXECABORT;
        }
        try (KeyLocks.Held ignored = lockEverything(session.db(), ks)) {
            if (watcher.dirty() || watchedKeyExpired(ks)) {
                return Reply.NULL_ARRAY;
            }
            watcher.unwatchAll();
            List<Reply> replies = new ArrayList<>(queued.size());
            for (byte[][] argv : queued) {
                replies.add(run(dispatcher, session, argv));
            }
            return Reply.array(replies);
        } finally {
            reset();
        }
    }

    private static Reply run(Dispatcher dispatcher, ClientSession session, byte[][] argv) {
        try {
            Reply r = dispatcher.dispatch(session, argv);
            return r == null ? Reply.NULL : r;
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage()).replace('\r', ' ').replace('\n', ' ');
            return Reply.error("ERR internal error: " + e.getClass().getSimpleName() + ": " + msg);
        }
    }

    /** As Redis 7: a watched key that expires before EXEC aborts it, even if nobody removed it yet. */
    private boolean watchedKeyExpired(Keyspace ks) {
        long now = ks.now();
        for (int i = 0; i < watcher.count(); i++) {
            Metadata m = ks.readStored(watcher.db(i), watcher.key(i));
            if (m != null && m.expiredAt(now)) {
                return true;
            }
        }
        return false;
    }

    /** The stripes of every key the queue and the watch list name, or all of them (see the class comment). */
    private KeyLocks.Held lockEverything(int startDb, Keyspace ks) {
        List<Integer> dbs = new ArrayList<>();
        List<byte[]> keys = new ArrayList<>();
        int db = startDb;
        for (int i = 0; i < queued.size(); i++) {
            CommandSpec spec = specs.get(i);
            byte[][] argv = queued.get(i);
            if (spec.name().equals("select")) {
                db = selectedDb(argv[1], db, ks.databases());
                continue;
            }
            int[] positions = spec.keyPositions(argv);
            boolean touchesKeyspace = spec.has(CommandFlag.WRITE) || spec.has(CommandFlag.READONLY);
            if (positions.length == 0 && touchesKeyspace || crossesDatabases(spec, argv)) {
                return ks.lockAll();
            }
            for (int p : positions) {
                dbs.add(db);
                keys.add(argv[p]);
            }
        }
        for (int i = 0; i < watcher.count(); i++) {
            dbs.add(watcher.db(i));
            keys.add(watcher.key(i));
        }
        int[] dbArray = new int[dbs.size()];
        for (int i = 0; i < dbArray.length; i++) {
            dbArray[i] = dbs.get(i);
        }
        return ks.lock(dbArray, keys.toArray(new byte[0][]));
    }

    /** Commands whose keys live in two dbs (COPY ... DB n, MOVE, SWAPDB): their positions cannot say which. */
    private static boolean crossesDatabases(CommandSpec spec, byte[][] argv) {
        return switch (spec.name()) {
            case "move", "swapdb" -> true;
            case "copy" -> {
                for (int i = 3; i < argv.length; i++) {
                    if (new String(argv[i], StandardCharsets.UTF_8).equalsIgnoreCase("db")) {
                        yield true;
                    }
                }
                yield false;
            }
            default -> false;
        };
    }

    /** The db a queued SELECT switches to, or the current one when it will fail. */
    private static int selectedDb(byte[] arg, int current, int databases) {
        try {
            int n = Integer.parseInt(new String(arg, StandardCharsets.UTF_8));
            return n >= 0 && n < databases ? n : current;
        } catch (NumberFormatException e) {
            return current;
        }
    }
}
