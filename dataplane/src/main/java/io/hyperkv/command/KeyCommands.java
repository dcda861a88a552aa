package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.READONLY;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.WRITE;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Glob;
import io.hyperkv.store.KeyLocks;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.ValueType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The generic key commands (Redis's "generic" group): existence, type, renaming and copying,
 * iteration, expiry, and whole-database flushes. Whole-db iteration (KEYS, SCAN, RANDOMKEY) and
 * flushes are {@link CommandFlag#SLOW_PATH}, so the server runs them off the event loops; so are
 * COPY, RENAME and RENAMENX, which are O(n) for a collection (its element rows live under the key
 * name, see {@code CollectionCopy}): a thread hop on every rename of a string is the price of
 * never stalling an event loop behind the move of a million-element set.
 * Keyspace events as Redis 7's db.c and expire.c: {@code del}, {@code rename_from}/{@code rename_to},
 * {@code copy_to} (each destination also {@code new}), {@code expire}, {@code persist}, {@code del}
 * for an expiry set in the past, {@code keymiss} for reads of absent keys; flushes report none.
 */
final class KeyCommands extends Family {

    private static final List<String> OBJECT_HELP = List.of(
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help.");

    private final Keyspace ks;
    private final Notifier events;

    KeyCommands(Keyspace ks, Notifier events) {
        this.ks = ks;
        this.events = events;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("del", -2).flags(WRITE).keys(1, -1, 1).acl("keyspace", "write", "slow").handler(guarded(this::del)).build());
        t.register(cmd("unlink", -2).flags(WRITE, FAST).keys(1, -1, 1).acl("keyspace", "write", "fast").handler(guarded(this::del)).build());
        t.register(cmd("exists", -2).flags(READONLY, FAST).keys(1, -1, 1).acl("keyspace", "read", "fast").handler(guarded(this::exists)).build());
        t.register(cmd("touch", -2).flags(READONLY, FAST).keys(1, -1, 1).acl("keyspace", "read", "fast").handler(guarded(this::exists)).build());
        t.register(cmd("type", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("keyspace", "read", "fast").handler(guarded(this::type)).build());
        t.register(cmd("rename", 3).flags(WRITE, SLOW_PATH).keys(1, 2, 1).acl("keyspace", "write", "slow").handler(guarded((s, a) -> rename(s, a, false))).build());
        t.register(cmd("renamenx", 3).flags(WRITE, FAST, SLOW_PATH).keys(1, 2, 1).acl("keyspace", "write", "fast").handler(guarded((s, a) -> rename(s, a, true))).build());
        t.register(cmd("copy", -3).flags(WRITE, CommandFlag.DENYOOM, SLOW_PATH).keys(1, 2, 1).acl("keyspace", "write", "slow").handler(guarded(this::copy)).build());
        t.register(cmd("keys", 2).flags(READONLY, SLOW_PATH).acl("keyspace", "read", "slow", "dangerous").handler(guarded(this::keys)).build());
        t.register(cmd("scan", -2).flags(READONLY, SLOW_PATH).acl("keyspace", "read", "slow").handler(guarded(this::scan)).build());
        t.register(cmd("randomkey", 1).flags(READONLY, SLOW_PATH).acl("keyspace", "read", "slow").handler(guarded(this::randomkey)).build());
        t.register(cmd("dbsize", 1).flags(READONLY, FAST).acl("keyspace", "read", "fast").handler(guarded((s, a) -> Reply.integer(ks.size(s.db())))).build());
        t.register(cmd("flushdb", -1).flags(WRITE, SLOW_PATH).acl("keyspace", "write", "slow", "dangerous").handler(guarded((s, a) -> flush(s, a, false))).build());
        t.register(cmd("flushall", -1).flags(WRITE, SLOW_PATH).acl("keyspace", "write", "slow", "dangerous").handler(guarded((s, a) -> flush(s, a, true))).build());
        t.register(cmd("expire", -3).flags(WRITE, FAST).keys(1, 1, 1).acl("keyspace", "write", "fast").handler(guarded((s, a) -> expire(s, a, 1000, true, "expire"))).build());
        t.register(cmd("pexpire", -3).flags(WRITE, FAST).keys(1, 1, 1).acl("keyspace", "write", "fast").handler(guarded((s, a) -> expire(s, a, 1, true, "pexpire"))).build());
        t.register(cmd("expireat", -3).flags(WRITE, FAST).keys(1, 1, 1).acl("keyspace", "write", "fast").handler(guarded((s, a) -> expire(s, a, 1000, false, "expireat"))).build());
        t.register(cmd("pexpireat", -3).flags(WRITE, FAST).keys(1, 1, 1).acl("keyspace", "write", "fast").handler(guarded((s, a) -> expire(s, a, 1, false, "pexpireat"))).build());
        t.register(cmd("ttl", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("keyspace", "read", "fast").handler(guarded((s, a) -> ttl(s, a, true, false))).build());
        t.register(cmd("pttl", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("keyspace", "read", "fast").handler(guarded((s, a) -> ttl(s, a, false, false))).build());
        t.register(cmd("expiretime", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("keyspace", "read", "fast").handler(guarded((s, a) -> ttl(s, a, true, true))).build());
        t.register(cmd("pexpiretime", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("keyspace", "read", "fast").handler(guarded((s, a) -> ttl(s, a, false, true))).build());
        t.register(cmd("persist", 2).flags(WRITE, FAST).keys(1, 1, 1).acl("keyspace", "write", "fast").handler(guarded(this::persist)).build());
        t.register(cmd("debug", -2).flags(CommandFlag.ADMIN, CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE)
                .acl("admin", "slow", "dangerous").handler(guarded(this::debug)).build());
        t.register(cmd("object", -2).acl("slow")
                .sub(cmd("object|encoding", 3).flags(READONLY).keys(2, 2, 1).acl("keyspace", "read", "slow").handler(guarded(this::encoding)).build())
                .sub(cmd("object|freq", 3).flags(READONLY).keys(2, 2, 1).acl("keyspace", "read", "slow").handler(guarded(this::freq)).build())
                .sub(cmd("object|idletime", 3).flags(READONLY).keys(2, 2, 1).acl("keyspace", "read", "slow").handler(guarded(this::idletime)).build())
                .sub(cmd("object|refcount", 3).flags(READONLY).keys(2, 2, 1).acl("keyspace", "read", "slow").handler(guarded(this::refcount)).build())
                .sub(cmd("object|help", 2).flags(CommandFlag.LOADING, CommandFlag.STALE).acl("keyspace", "slow").handler(guarded((s, a) -> help(OBJECT_HELP))).build())
                .build());
    }

    static Reply help(List<String> lines) {
        List<Reply> out = new ArrayList<>(lines.size());
        for (String l : lines) {
            out.add(Reply.simple(l));
        }
        return Reply.array(out);
    }

    private Reply del(ClientSession s, byte[][] a) {
        long n = 0;
        for (int i = 1; i < a.length; i++) {
            // under the key's lock, so a concurrent write's events cannot overtake this "del"
            try (KeyLocks.Held ignored = ks.lock(s.db(), a[i])) {
                if (ks.delete(s.db(), a[i])) {
                    events.notify(Notifier.GENERIC, "del", s.db(), a[i]);
                    n++;
                }
            }
        }
        return Reply.integer(n);
    }

    private Reply exists(ClientSession s, byte[][] a) {
        long n = 0;
        for (int i = 1; i < a.length; i++) {
            if (ks.exists(s.db(), a[i])) {
                n++;
            } else {
                events.notify(Notifier.KEY_MISS, "keymiss", s.db(), a[i]);
            }
        }
        return Reply.integer(n);
    }

    private Reply type(ClientSession s, byte[][] a) {
        Metadata m = ks.read(s.db(), a[1]);
        if (m == null) {
            events.notify(Notifier.KEY_MISS, "keymiss", s.db(), a[1]);
        }
        return Reply.simple(m == null ? "none" : m.type().redisName());
    }

    private Reply rename(ClientSession s, byte[][] a, boolean nx) {
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, a[1], a[2])) {
            Metadata m = ks.read(db, a[1]);
            if (m == null) {
                return Reply.error(Errors.NO_SUCH_KEY);
            }
            if (java.util.Arrays.equals(a[1], a[2])) {
                return nx ? Reply.ZERO : Reply.OK;
            }
            if (nx && ks.exists(db, a[2])) {
                return Reply.ZERO;
            }
            ks.rename(db, a[1], m, a[2]);
            events.notify(Notifier.NEW, "new", db, a[2]);
            events.notify(Notifier.GENERIC, "rename_from", db, a[1]);
            events.notify(Notifier.GENERIC, "rename_to", db, a[2]);
            return nx ? Reply.ONE : Reply.OK;
        }
    }

    private Reply copy(ClientSession s, byte[][] a) {
        int srcDb = s.db();
        int dstDb = srcDb;
        boolean replace = false;
        for (int j = 3; j < a.length; j++) {
            if (Args.is(a[j], "replace")) {
                replace = true;
            } else if (Args.is(a[j], "db") && j + 1 < a.length) {
                long d = Args.integer(a[++j]);
                if (d < 0 || d >= ks.databases()) {
                    return Reply.error(Errors.DB_OUT_OF_RANGE);
                }
                dstDb = (int) d;
            } else {
                return Reply.error(Errors.SYNTAX);
            }
        }
        if (srcDb == dstDb && java.util.Arrays.equals(a[1], a[2])) {
            return Reply.error("ERR source and destination objects are the same");
        }
        try (KeyLocks.Held ignored = ks.lock(new int[] {srcDb, dstDb}, new byte[][] {a[1], a[2]})) {
            Metadata m = ks.read(srcDb, a[1]);
            if (m == null) {
                return Reply.ZERO;
            }
            if (!replace && ks.exists(dstDb, a[2])) {
                return Reply.ZERO;
            }
            ks.copy(srcDb, a[1], m, dstDb, a[2]);
            events.notify(Notifier.NEW, "new", dstDb, a[2]);
            events.notify(Notifier.GENERIC, "copy_to", dstDb, a[2]);
            return Reply.ONE;
        }
    }

    private Reply keys(ClientSession s, byte[][] a) {
        List<Reply> out = new ArrayList<>();
        for (byte[] k : ks.keys(s.db(), new Glob(a[1], false))) {
            out.add(Reply.bulk(k));
        }
        return Reply.array(out);
    }

    private Reply scan(ClientSession s, byte[][] a) {
        long cursor = parseCursor(a[1]);
        long count = 10;
        Glob match = null;
        ValueType type = null;
        boolean unknownType = false;
        for (int j = 2; j < a.length; j++) {
            boolean hasArg = j + 1 < a.length;
            if (Args.is(a[j], "count") && hasArg) {
                count = Args.integer(a[++j]);
                if (count < 1) {
                    return Reply.error(Errors.SYNTAX);
                }
            } else if (Args.is(a[j], "match") && hasArg) {
                match = new Glob(a[++j], false);
            } else if (Args.is(a[j], "type") && hasArg) {
                type = ValueType.ofRedisName(Args.text(a[++j]));
                // Redis filters by the name it is given: an unknown type simply matches nothing
                unknownType = type == null;
            } else {
                return Reply.error(Errors.SYNTAX);
            }
        }
        Keyspace.ScanPage page = ks.scan(s.db(), cursor, (int) Math.min(count, 100_000), match, type);
        List<Reply> keys = new ArrayList<>(page.keys().size());
        if (!unknownType) {
            for (byte[] k : page.keys()) {
                keys.add(Reply.bulk(k));
            }
        }
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(page.cursor())), Reply.array(keys)));
    }

    /** A cursor is an unsigned 64-bit decimal, as Redis's parseScanCursorOrReply. */
    private static long parseCursor(byte[] arg) {
        if (arg.length == 0 || arg.length > 20) {
            throw new CommandError(Errors.INVALID_CURSOR);
        }
        for (byte b : arg) {
            if (b < '0' || b > '9') {
                throw new CommandError(Errors.INVALID_CURSOR);
            }
        }
        try {
            return Long.parseUnsignedLong(Args.text(arg));
        } catch (NumberFormatException e) {
            throw new CommandError(Errors.INVALID_CURSOR);
        }
    }

    private Reply randomkey(ClientSession s, byte[][] a) {
        return Reply.bulk(ks.randomKey(s.db()));
    }

    private Reply flush(ClientSession s, byte[][] a, boolean all) {
        if (a.length > 2 || (a.length == 2 && !Args.is(a[1], "async") && !Args.is(a[1], "sync"))) {
            return Reply.error(Errors.SYNTAX);
        }
        // ASYNC and SYNC are the same here: range deletions make both O(1). In cluster mode the flush is a cut the
        // keyspace ships to every node; the reply then waits for W of them like a write's (Keyspace.flushRange)
        if (all) {
            ks.flushAll();
        } else {
            ks.flush(s.db());
        }
        return Reply.OK;
    }

    private Reply expire(ClientSession s, byte[][] a, long unitMillis, boolean relative, String name) {
        long when = Args.integer(a[2]);
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int j = 3; j < a.length; j++) {
            if (Args.is(a[j], "nx")) {
                nx = true;
            } else if (Args.is(a[j], "xx")) {
                xx = true;
            } else if (Args.is(a[j], "gt")) {
                gt = true;
            } else if (Args.is(a[j], "lt")) {
                lt = true;
            } else {
                return Reply.error("ERR Unsupported option " + Args.text(a[j]));
            }
        }
        if (nx && (xx || gt || lt)) {
            return Reply.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            return Reply.error("ERR GT and LT options at the same time are not compatible");
        }
        if (unitMillis == 1000) {
            if (when > Long.MAX_VALUE / 1000 || when < Long.MIN_VALUE / 1000) {
                return Reply.error(Errors.invalidExpire(name));
            }
            when *= 1000;
        }
        long now = ks.now();
        if (relative) {
            if (when > Long.MAX_VALUE - now) {
                return Reply.error(Errors.invalidExpire(name));
            }
            when += now;
        }
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = ks.read(db, a[1]);
            if (m == null) {
                return Reply.ZERO;
            }
            long current = m.expireAt();
            if (nx && current != 0 || xx && current == 0) {
                return Reply.ZERO;
            }
            // a key without a TTL has an infinite one: GT never applies to it, LT always does
            if (gt && (current == 0 || when <= current) || lt && current != 0 && when >= current) {
                return Reply.ZERO;
            }
            if (when <= now) {
                ks.delete(db, a[1]);
                events.notify(Notifier.GENERIC, "del", db, a[1]);
            } else {
                ks.setExpiry(db, a[1], when);
                events.notify(Notifier.GENERIC, "expire", db, a[1]);
            }
            return Reply.ONE;
        }
    }

    private Reply ttl(ClientSession s, byte[][] a, boolean seconds, boolean absolute) {
        Metadata m = ks.read(s.db(), a[1]);
        if (m == null) {
            events.notify(Notifier.KEY_MISS, "keymiss", s.db(), a[1]);
            return Reply.integer(-2);
        }
        if (!m.hasExpiry()) {
            return Reply.integer(-1);
        }
        if (absolute) {
            return Reply.integer(seconds ? m.expireAt() / 1000 : m.expireAt());
        }
        long left = Math.max(0, m.expireAt() - ks.now());
        return Reply.integer(seconds ? (left + 500) / 1000 : left);
    }

    private Reply persist(ClientSession s, byte[][] a) {
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = ks.read(db, a[1]);
            if (m == null || !m.hasExpiry()) {
                return Reply.ZERO;
            }
            ks.setExpiry(db, a[1], 0);
            events.notify(Notifier.GENERIC, "persist", db, a[1]);
            return Reply.ONE;
        }
    }

    /**
     * DEBUG DIGEST (one 40-hex value over every db, all zeros when empty: equal on replicas holding the same data)
     * and DEBUG DIGEST-VALUE key... (one per key, of the current db). Redis's other DEBUG subcommands are not offered.
     */
    private Reply debug(ClientSession s, byte[][] a) {
        String sub = new String(a[1], StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
        if (sub.equals("digest") && a.length == 2) {
            return Reply.simple(HexFormat.of().formatHex(ks.digest()));
        }
        if (sub.equals("digest-value")) {
            List<Reply> out = new ArrayList<>(a.length - 2);
            for (int i = 2; i < a.length; i++) {
                out.add(Reply.simple(HexFormat.of().formatHex(ks.valueDigest(s.db(), a[i]))));
            }
            return Reply.array(out);
        }
        if (sub.equals("help") && a.length == 2) {
            return help(DEBUG_HELP);
        }
        return Reply.error("ERR unknown subcommand or wrong number of arguments for '"
                + new String(a[1], StandardCharsets.UTF_8) + "'. Try DEBUG HELP.");
    }

    private static final List<String> DEBUG_HELP = List.of(
            "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DIGEST",
            "    Output a hex signature representing the current DB content.",
            "DIGEST-VALUE <key> [<key> ...]",
            "    Output a hex signature of the values of all the specified keys.",
            "HELP",
            "    Print this help.");

    private Reply encoding(ClientSession s, byte[][] a) {
        Metadata m = ks.read(s.db(), a[2]);
        return m == null ? Reply.NULL : Reply.bulk(m.encoding().redisName());
    }

    private Reply freq(ClientSession s, byte[][] a) {
        Metadata m = ks.read(s.db(), a[2]);
        if (m == null) {
            return Reply.NULL;
        }
        // access frequency exists only under an LFU maxmemory policy, which this engine does not have
        return Reply.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that"
                + " when switching between policies at runtime LRU and LFU data will take some time to adjust.");
    }

    /** Seconds since the last write: reads do not write to disk, so they do not refresh it (documented difference). */
    private Reply idletime(ClientSession s, byte[][] a) {
        Metadata m = ks.read(s.db(), a[2]);
        if (m == null) {
            return Reply.NULL;
        }
        return Reply.integer(Math.max(0, (ks.now() - m.stamp().physicalMillis()) / 1000));
    }

    private Reply refcount(ClientSession s, byte[][] a) {
        Metadata m = ks.read(s.db(), a[2]);
        if (m == null) {
            return Reply.NULL;
        }
        // Redis shares the objects for integers 0..9999 and reports them as immortal
        Long n = m.encoding() == io.hyperkv.store.Encoding.INT ? io.hyperkv.store.Numbers.parseLong(m.payload()) : null;
        return Reply.integer(n != null && n >= 0 && n < 10000 ? Integer.MAX_VALUE : 1);
    }
}
