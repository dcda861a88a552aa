package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.DENYOOM;
import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.READONLY;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.WRITE;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.Glob;
import io.hyperkv.store.KeyLocks;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.SetStore;
import io.hyperkv.store.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The set commands over {@link SetStore} (OR-set rows, add wins over a concurrent remove).
 * Single-key writes hold the key's lock across read and write; SMOVE and the *STORE commands hold
 * every key they read or write, so the result is computed from one consistent state and committed
 * in one batch. Commands that read whole sets (SMEMBERS, SINTER, SUNION, SDIFF and their STORE and
 * CARD forms) are {@link CommandFlag#SLOW_PATH}: they are O(n) and run on a worker.
 *
 * <p>Differences from Redis, documented: random picks are not uniform (see {@code SetStore}); a
 * negative SRANDMEMBER count larger than {@value #MAX_RANDOM_REPLY} in magnitude is refused instead
 * of building a reply that large.
 */
final class SetCommands extends Family {

    /** The largest reply a random pick with repeats builds. */
    static final long MAX_RANDOM_REPLY = 100_000_000L;

    private final Keyspace ks;
    private final SetStore store;
    private final Notifier notifier;

    SetCommands(Keyspace ks, SetStore store, Notifier notifier) {
        this.ks = ks;
        this.store = store;
        this.notifier = notifier;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("sadd", -3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "set", "fast").handler(guarded(this::sadd)).build());
        t.register(cmd("srem", -3).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "set", "fast").handler(guarded(this::srem)).build());
        t.register(cmd("smembers", 2).flags(READONLY, SLOW_PATH).keys(1, 1, 1).acl("read", "set", "slow").handler(guarded(this::smembers)).build());
        t.register(cmd("sismember", 3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "set", "fast").handler(guarded(this::sismember)).build());
        t.register(cmd("smismember", -3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "set", "fast").handler(guarded(this::smismember)).build());
        t.register(cmd("scard", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "set", "fast").handler(guarded(this::scard)).build());
        t.register(cmd("spop", -2).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "set", "fast").handler(guarded(this::spop)).build());
        t.register(cmd("srandmember", -2).flags(READONLY, SLOW_PATH).keys(1, 1, 1).acl("read", "set", "slow").handler(guarded(this::srandmember)).build());
        t.register(cmd("smove", 4).flags(WRITE, FAST).keys(1, 2, 1).acl("write", "set", "fast").handler(guarded(this::smove)).build());
        t.register(cmd("sinter", -2).flags(READONLY, SLOW_PATH).keys(1, -1, 1).acl("read", "set", "slow").handler(guarded(this::sinter)).build());
        t.register(cmd("sintercard", -3).flags(READONLY, SLOW_PATH).keys(0, 0, 0).keyFinder(SetCommands::numkeysPositions)
                .acl("read", "set", "slow").handler(guarded(this::sintercard)).build());
        t.register(cmd("sinterstore", -3).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, -1, 1).acl("write", "set", "slow").handler(guarded(this::sinterstore)).build());
        t.register(cmd("sunion", -2).flags(READONLY, SLOW_PATH).keys(1, -1, 1).acl("read", "set", "slow").handler(guarded((s, a) -> combine(s, a, false))).build());
        t.register(cmd("sunionstore", -3).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, -1, 1).acl("write", "set", "slow").handler(guarded((s, a) -> combineStore(s, a, false))).build());
        t.register(cmd("sdiff", -2).flags(READONLY, SLOW_PATH).keys(1, -1, 1).acl("read", "set", "slow").handler(guarded((s, a) -> combine(s, a, true))).build());
        t.register(cmd("sdiffstore", -3).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, -1, 1).acl("write", "set", "slow").handler(guarded((s, a) -> combineStore(s, a, true))).build());
        t.register(cmd("sscan", -3).flags(READONLY).keys(1, 1, 1).acl("read", "set", "slow").handler(guarded(this::sscan)).build());
    }

    /** SINTERCARD numkeys key [key ...]: the keys follow numkeys; none when numkeys is not a valid count. */
    static int[] numkeysPositions(byte[][] argv) {
        if (argv.length < 3) {
            return new int[0];
        }
        Long n = io.hyperkv.store.Numbers.parseLong(argv[1]);
        if (n == null || n < 1 || n > argv.length - 2) {
            return new int[0];
        }
        int[] out = new int[n.intValue()];
        for (int i = 0; i < out.length; i++) {
            out[i] = 2 + i;
        }
        return out;
    }

    /** The live set at key, null if absent; WRONGTYPE for another type. */
    private Metadata set(int db, byte[] key) {
        Metadata m = ks.read(db, key);
        if (m != null && m.type() != ValueType.SET) {
            throw new CommandError(Errors.WRONGTYPE);
        }
        return m;
    }

    private static List<byte[]> tail(byte[][] a, int from) {
        return Arrays.asList(a).subList(from, a.length);
    }

    private static Reply bulks(List<byte[]> items, boolean asSet) {
        List<Reply> out = new ArrayList<>(items.size());
        for (byte[] i : items) {
            out.add(Reply.bulk(i));
        }
        return asSet ? new Reply.SetReply(out) : Reply.array(out);
    }

    private Reply sadd(ClientSession s, byte[][] a) {
        int db = s.db();
        int added;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            added = store.add(db, a[1], set(db, a[1]), tail(a, 2));
        }
        if (added > 0) {
            notifier.notify(Notifier.SET, "sadd", db, a[1]);
        }
        return Reply.integer(added);
    }

    private Reply srem(ClientSession s, byte[][] a) {
        int db = s.db();
        int removed;
        boolean gone;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = set(db, a[1]);
            removed = store.remove(db, a[1], m, tail(a, 2));
            gone = removed > 0 && removed == m.size();
        }
        if (removed > 0) {
            notifier.notify(Notifier.SET, "srem", db, a[1]);
            if (gone) {
                notifier.notify(Notifier.GENERIC, "del", db, a[1]);
            }
        }
        return Reply.integer(removed);
    }

    private Reply smembers(ClientSession s, byte[][] a) {
        Metadata m = set(s.db(), a[1]);
        return bulks(m == null ? List.of() : store.members(s.db(), a[1], m), true);
    }

    private Reply sismember(ClientSession s, byte[][] a) {
        Metadata m = set(s.db(), a[1]);
        return m != null && store.contains(s.db(), a[1], m, a[2]) ? Reply.ONE : Reply.ZERO;
    }

    private Reply smismember(ClientSession s, byte[][] a) {
        Metadata m = set(s.db(), a[1]);
        List<Reply> out = new ArrayList<>(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            out.add(m != null && store.contains(s.db(), a[1], m, a[i]) ? Reply.ONE : Reply.ZERO);
        }
        return Reply.array(out);
    }

    private Reply scard(ClientSession s, byte[][] a) {
        Metadata m = set(s.db(), a[1]);
        return Reply.integer(m == null ? 0 : m.size());
    }

    private Reply spop(ClientSession s, byte[][] a) {
        if (a.length > 3) {
            return Reply.error(Errors.SYNTAX);
        }
        int db = s.db();
        long count = -1;
        if (a.length == 3) {
            count = positive(a[2]);
        }
        Reply reply;
        boolean gone;
        int popped;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = set(db, a[1]);
            if (count < 0) {
                byte[] member = store.pop(db, a[1], m);
                reply = Reply.bulk(member);
                popped = member == null ? 0 : 1;
            } else {
                List<byte[]> members = store.pop(db, a[1], m, count);
                reply = bulks(members, true);
                popped = members.size();
            }
            gone = popped > 0 && popped == m.size();
        }
        if (popped > 0) {
            notifier.notify(Notifier.SET, "spop", db, a[1]);
            if (gone) {
                notifier.notify(Notifier.GENERIC, "del", db, a[1]);
            }
        }
        return reply;
    }

    /** Redis's getPositiveLongFromObjectOrReply: one message for "not a number" and "negative". */
    static long positive(byte[] arg) {
        Long v = io.hyperkv.store.Numbers.parseLong(arg);
        if (v == null || v < 0) {
            throw new CommandError("ERR value is out of range, must be positive");
        }
        return v;
    }

    /** A random-pick count as Redis reads it: any long but LONG_MIN. */
    static long pickCount(byte[] arg) {
        long v = Args.integer(arg);
        if (v == Long.MIN_VALUE) {
            throw new CommandError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        }
        if (v < -MAX_RANDOM_REPLY) {
            throw new CommandError("ERR value is out of range");
        }
        return v;
    }

    private Reply srandmember(ClientSession s, byte[][] a) {
        if (a.length > 3) {
            return Reply.error(Errors.SYNTAX);
        }
        if (a.length == 2) {
            Metadata m = set(s.db(), a[1]);
            return m == null ? Reply.NULL : Reply.bulk(store.random(s.db(), a[1], m));
        }
        long count = pickCount(a[2]);
        Metadata m = set(s.db(), a[1]);
        if (m == null || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<byte[]> picked = count > 0 ? store.randomDistinct(s.db(), a[1], m, count)
                : store.randomWithRepeats(s.db(), a[1], m, -count);
        return bulks(picked, false);
    }

    private Reply smove(ClientSession s, byte[][] a) {
        int db = s.db();
        SetStore.Moved moved;
        boolean srcGone;
        try (KeyLocks.Held ignored = ks.lock(db, a[1], a[2])) {
            Metadata src = ks.read(db, a[1]);
            Metadata dst = ks.read(db, a[2]);
            if (src == null) {
                return Reply.ZERO;
            }
            if (src.type() != ValueType.SET || (dst != null && dst.type() != ValueType.SET)) {
                return Reply.error(Errors.WRONGTYPE);
            }
            if (Arrays.equals(a[1], a[2])) {
                return store.contains(db, a[1], src, a[3]) ? Reply.ONE : Reply.ZERO;
            }
            srcGone = src.size() == 1;
            moved = store.move(db, a[1], src, a[2], dst, a[3]);
        }
        if (moved == SetStore.Moved.NOT_IN_SOURCE) {
            return Reply.ZERO;
        }
        notifier.notify(Notifier.SET, "srem", db, a[1]);
        if (srcGone) {
            notifier.notify(Notifier.GENERIC, "del", db, a[1]);
        }
        if (moved == SetStore.Moved.ADDED) {
            notifier.notify(Notifier.SET, "sadd", db, a[2]);
        }
        return Reply.ONE;
    }

    // ---------------------------------------------------------------- algebra

    /** The live sets of keys[from..to) (null for a missing key), WRONGTYPE if any holds another type. */
    private Metadata[] sets(int db, byte[][] keys, int from, int to) {
        Metadata[] out = new Metadata[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = set(db, keys[i]);
        }
        return out;
    }

    /**
     * The intersection of the sets: walks the smallest and probes the others (one point read per
     * member and set), stopping at {@code limit} members when it is positive.
     */
    private List<byte[]> intersect(int db, byte[][] keys, int from, Metadata[] sets, long limit) {
        int smallest = -1;
        for (int i = 0; i < sets.length; i++) {
            if (sets[i] == null) {
                return List.of();
            }
            if (smallest < 0 || sets[i].size() < sets[smallest].size()) {
                smallest = i;
            }
        }
        List<byte[]> out = new ArrayList<>();
        for (byte[] m : store.members(db, keys[from + smallest], sets[smallest])) {
            boolean everywhere = true;
            for (int i = 0; i < sets.length && everywhere; i++) {
                everywhere = i == smallest || store.contains(db, keys[from + i], sets[i], m);
            }
            if (everywhere) {
                out.add(m);
                if (limit > 0 && out.size() >= limit) {
                    break;
                }
            }
        }
        return out;
    }

    /** The union or difference (first set minus the others) of the sets, in byte order. */
    private List<byte[]> unionOrDiff(int db, byte[][] keys, int from, Metadata[] sets, boolean diff) {
        Map<Bytes, byte[]> out = new java.util.TreeMap<>();
        if (diff) {
            if (sets[0] == null) {
                return List.of();
            }
            for (byte[] m : store.members(db, keys[from], sets[0])) {
                boolean elsewhere = false;
                for (int i = 1; i < sets.length && !elsewhere; i++) {
                    elsewhere = sets[i] != null && store.contains(db, keys[from + i], sets[i], m);
                }
                if (!elsewhere) {
                    out.put(Bytes.of(m), m);
                }
            }
            return new ArrayList<>(out.values());
        }
        for (int i = 0; i < sets.length; i++) {
            if (sets[i] != null) {
                for (byte[] m : store.members(db, keys[from + i], sets[i])) {
                    out.putIfAbsent(Bytes.of(m), m);
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private Reply sinter(ClientSession s, byte[][] a) {
        Metadata[] sets = sets(s.db(), a, 1, a.length);
        return bulks(intersect(s.db(), a, 1, sets, 0), true);
    }

    private Reply sintercard(ClientSession s, byte[][] a) {
        Long numkeys = io.hyperkv.store.Numbers.parseLong(a[1]);
        if (numkeys == null || numkeys < 1) {
            return Reply.error("ERR numkeys should be greater than 0");
        }
        if (numkeys > a.length - 2) {
            return Reply.error("ERR Number of keys can't be greater than number of args");
        }
        int end = 2 + numkeys.intValue();
        long limit = 0;
        for (int j = end; j < a.length; j++) {
            if (Args.is(a[j], "limit") && j + 1 < a.length) {
                Long l = io.hyperkv.store.Numbers.parseLong(a[++j]);
                if (l == null || l < 0) {
                    return Reply.error("ERR LIMIT can't be negative");
                }
                limit = l;
            } else {
                return Reply.error(Errors.SYNTAX);
            }
        }
        Metadata[] sets = sets(s.db(), a, 2, end);
        return Reply.integer(intersect(s.db(), a, 2, sets, limit).size());
    }

    private Reply sinterstore(ClientSession s, byte[][] a) {
        int db = s.db();
        long size;
        try (KeyLocks.Held ignored = ks.lock(db, Arrays.copyOfRange(a, 1, a.length))) {
            Metadata[] sets = sets(db, a, 2, a.length);
            size = replace(db, a[1], intersect(db, a, 2, sets, 0));
        }
        storeNotify(db, a[1], size, "sinterstore");
        return Reply.integer(Math.max(size, 0));
    }

    private Reply combine(ClientSession s, byte[][] a, boolean diff) {
        Metadata[] sets = sets(s.db(), a, 1, a.length);
        return bulks(unionOrDiff(s.db(), a, 1, sets, diff), true);
    }

    private Reply combineStore(ClientSession s, byte[][] a, boolean diff) {
        int db = s.db();
        long size;
        try (KeyLocks.Held ignored = ks.lock(db, Arrays.copyOfRange(a, 1, a.length))) {
            Metadata[] sets = sets(db, a, 2, a.length);
            size = replace(db, a[1], unionOrDiff(db, a, 2, sets, diff));
        }
        storeNotify(db, a[1], size, diff ? "sdiffstore" : "sunionstore");
        return Reply.integer(Math.max(size, 0));
    }

    /** Replaces dst with the result (whatever it held); an empty result deletes it. -1 when an empty result found no dst. */
    private long replace(int db, byte[] dst, List<byte[]> members) {
        Metadata old = ks.read(db, dst);
        if (members.isEmpty()) {
            if (old == null) {
                return -1;
            }
            store.replace(db, dst, old, members);
            return -2;
        }
        return store.replace(db, dst, old, members);
    }

    private void storeNotify(int db, byte[] dst, long size, String event) {
        if (size > 0) {
            notifier.notify(Notifier.SET, event, db, dst);
        } else if (size == -2) {
            notifier.notify(Notifier.GENERIC, "del", db, dst);
        }
    }

    private Reply sscan(ClientSession s, byte[][] a) {
        long cursor = scanCursor(a[2]);
        Metadata m = set(s.db(), a[1]);
        if (m == null) {
            return emptyScan();
        }
        ScanOptions o = ScanOptions.parse(a, 3);
        SetStore.ElementPage page = store.scan(s.db(), a[1], m, cursor, o.count, o.match);
        return scanReply(page);
    }

    static Reply emptyScan() {
        return Reply.array(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY));
    }

    static Reply scanReply(SetStore.ElementPage page) {
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(page.cursor())), bulks(page.elements(), false)));
    }

    /** A cursor is an unsigned 64-bit decimal, as Redis's parseScanCursorOrReply. */
    static long scanCursor(byte[] arg) {
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

    /** MATCH and COUNT of HSCAN/SSCAN, as Redis's scanGenericCommand parses them for a collection. */
    record ScanOptions(long count, Glob match) {
        static ScanOptions parse(byte[][] a, int from) {
            long count = 10;
            Glob match = null;
            for (int j = from; j < a.length; j++) {
                boolean hasArg = j + 1 < a.length;
                if (Args.is(a[j], "count") && hasArg) {
                    count = Args.integer(a[++j]);
                    if (count < 1) {
                        throw new CommandError(Errors.SYNTAX);
                    }
                } else if (Args.is(a[j], "match") && hasArg) {
                    match = new Glob(a[++j], false);
                } else {
                    throw new CommandError(Errors.SYNTAX);
                }
            }
            return new ScanOptions(count, match);
        }
    }
}
