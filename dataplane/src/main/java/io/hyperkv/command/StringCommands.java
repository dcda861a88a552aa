package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.DENYOOM;
import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.READONLY;
import static io.hyperkv.command.CommandFlag.WRITE;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.KeyLocks;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.Numbers;
import io.hyperkv.store.ValueType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The string commands. Values are LWW registers (DESIGN.md §4): every write carries a fresh HLC
 * stamp. Read-modify-write commands hold the key's lock across read and write so two event
 * loops cannot interleave them; multi-key writes (MSET, MSETNX) hold all their keys' locks.
 * Keyspace events are reported where Redis 7's t_string.c reports them: {@code new} when a key is
 * created, then {@code set}/{@code append}/{@code setrange}/{@code incrby}/{@code incrbyfloat},
 * {@code expire} when a write sets a TTL, {@code del}/{@code persist} from GETDEL/GETEX, and
 * {@code keymiss} when a read finds nothing.
 */
final class StringCommands extends Family {

    private final Keyspace ks;
    private final Settings settings;
    private final Notifier events;

    StringCommands(Keyspace ks, Settings settings, Notifier events) {
        this.ks = ks;
        this.settings = settings;
        this.events = events;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("get", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "string", "fast").handler(guarded(this::get)).build());
        t.register(cmd("set", -3).flags(WRITE, DENYOOM).keys(1, 1, 1).acl("write", "string", "slow").handler(guarded(this::set)).build());
        t.register(cmd("setnx", 3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded(this::setnx)).build());
        t.register(cmd("setex", 4).flags(WRITE, DENYOOM).keys(1, 1, 1).acl("write", "string", "slow").handler(guarded((s, a) -> setex(s, a, false))).build());
        t.register(cmd("psetex", 4).flags(WRITE, DENYOOM).keys(1, 1, 1).acl("write", "string", "slow").handler(guarded((s, a) -> setex(s, a, true))).build());
        t.register(cmd("getset", 3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded(this::getset)).build());
        t.register(cmd("getdel", 2).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded(this::getdel)).build());
        t.register(cmd("getex", -2).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded(this::getex)).build());
        t.register(cmd("mget", -2).flags(READONLY, FAST).keys(1, -1, 1).acl("read", "string", "fast").handler(guarded(this::mget)).build());
        t.register(cmd("mset", -3).flags(WRITE, DENYOOM).keys(1, -1, 2).acl("write", "string", "slow").handler(guarded(this::mset)).build());
        t.register(cmd("msetnx", -3).flags(WRITE, DENYOOM).keys(1, -1, 2).acl("write", "string", "slow").handler(guarded(this::msetnx)).build());
        t.register(cmd("append", 3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded(this::append)).build());
        t.register(cmd("strlen", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "string", "fast").handler(guarded(this::strlen)).build());
        t.register(cmd("getrange", 4).flags(READONLY).keys(1, 1, 1).acl("read", "string", "slow").handler(guarded(this::getrange)).build());
        t.register(cmd("substr", 4).flags(READONLY).keys(1, 1, 1).acl("read", "string", "slow").handler(guarded(this::getrange)).build());
        t.register(cmd("setrange", 4).flags(WRITE, DENYOOM).keys(1, 1, 1).acl("write", "string", "slow").handler(guarded(this::setrange)).build());
        t.register(cmd("incr", 2).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded((s, a) -> incr(s, a[1], 1))).build());
        t.register(cmd("decr", 2).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded((s, a) -> incr(s, a[1], -1))).build());
        t.register(cmd("incrby", 3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded((s, a) -> incr(s, a[1], Args.integer(a[2])))).build());
        t.register(cmd("decrby", 3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded(this::decrby)).build());
        t.register(cmd("incrbyfloat", 3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "string", "fast").handler(guarded(this::incrbyfloat)).build());
    }

    /** The live string at key, null if absent; WRONGTYPE if it holds another type. */
    private Metadata string(int db, byte[] key) {
        Metadata m = ks.read(db, key);
        if (m != null && m.type() != ValueType.STRING) {
            throw new CommandError(Errors.WRONGTYPE);
        }
        return m;
    }

    /** A read of a string that reports a miss as Redis's lookupKeyRead does, without touching the hit counters. */
    private Metadata readOnly(int db, byte[] key) {
        Metadata m = string(db, key);
        if (m == null) {
            events.notify(Notifier.KEY_MISS, "keymiss", db, key);
        }
        return m;
    }

    private Metadata lookupRead(int db, byte[] key) {
        Metadata m = string(db, key);
        if (m == null) {
            ks.stats().miss();
            events.notify(Notifier.KEY_MISS, "keymiss", db, key);
        } else {
            ks.stats().hit();
        }
        return m;
    }

    private Reply get(ClientSession s, byte[][] a) {
        Metadata m = lookupRead(s.db(), a[1]);
        return m == null ? Reply.NULL : Reply.bulk(m.payload());
    }

    /** Parsed SET/GETEX options, as Redis's parseExtendedStringArgumentsOrReply. */
    private static final class SetOptions {
        boolean nx;
        boolean xx;
        boolean get;
        boolean keepTtl;
        boolean persist;
        /** Absolute expiry in ms, 0 for none. */
        long expireAt;
    }

    private SetOptions parseSetOptions(byte[][] a, int from, boolean forSet, String command) {
        SetOptions o = new SetOptions();
        String unit = null;
        byte[] amount = null;
        for (int j = from; j < a.length; j++) {
            byte[] opt = a[j];
            byte[] next = j + 1 < a.length ? a[j + 1] : null;
            if (forSet && Args.is(opt, "nx") && !o.xx) {
                o.nx = true;
            } else if (forSet && Args.is(opt, "xx") && !o.nx) {
                o.xx = true;
            } else if (forSet && Args.is(opt, "get")) {
                o.get = true;
            } else if (forSet && Args.is(opt, "keepttl") && unit == null) {
                o.keepTtl = true;
            } else if (!forSet && Args.is(opt, "persist") && unit == null) {
                o.persist = true;
            } else if ((Args.is(opt, "ex") || Args.is(opt, "px") || Args.is(opt, "exat") || Args.is(opt, "pxat"))
                    && unit == null && !o.keepTtl && !o.persist && next != null) {
                unit = Args.lower(opt);
                amount = next;
                j++;
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        if (unit != null) {
            o.expireAt = expireAt(amount, unit, command);
        }
        return o;
    }

    /** An absolute expiry in ms from a SET-style amount and unit, with Redis's range checks. */
    private long expireAt(byte[] amount, String unit, String command) {
        long v = Args.integer(amount);
        boolean seconds = unit.equals("ex") || unit.equals("exat");
        if (v <= 0 || (seconds && v > Long.MAX_VALUE / 1000)) {
            throw new CommandError(Errors.invalidExpire(command));
        }
        if (seconds) {
            v *= 1000;
        }
        if (unit.equals("ex") || unit.equals("px")) {
            v += ks.now(); // wraps on overflow exactly like Redis's C arithmetic, caught below
        }
        if (v <= 0) {
            throw new CommandError(Errors.invalidExpire(command));
        }
        return v;
    }

    private Reply set(ClientSession s, byte[][] a) {
        SetOptions o = parseSetOptions(a, 3, true, "set");
        int db = s.db();
        byte[] key = a[1];
        if (!o.get && !o.nx && !o.xx) {
            // plain SET needs nothing from the old value here: setString reads the stored metadata
            // once, under the key's lock, for the expiry index, KEEPTTL and the key count
            blindStore(db, key, a[2], o.keepTtl ? Keyspace.KEEP_TTL : o.expireAt);
            return Reply.OK;
        }
        try (KeyLocks.Held ignored = ks.lock(db, key)) {
            Metadata old = ks.read(db, key);
            Reply oldReply = null;
            if (o.get) {
                if (old != null && old.type() != ValueType.STRING) {
                    return Reply.error(Errors.WRONGTYPE);
                }
                if (old == null) {
                    events.notify(Notifier.KEY_MISS, "keymiss", db, key);
                }
                oldReply = old == null ? Reply.NULL : Reply.bulk(old.payload());
            }
            if ((o.nx && old != null) || (o.xx && old == null)) {
                return o.get ? oldReply : Reply.NULL;
            }
            long at = o.keepTtl ? Keyspace.KEEP_TTL : o.expireAt;
            boolean dead = !store(db, key, a[2], at);
            notifySet(db, key, old == null, at, dead);
            return o.get ? oldReply : Reply.OK;
        }
    }

    /**
     * SET without reading the old value. When events are wanted the write and its events happen
     * under the key's lock (so expiry cannot report {@code expired} between {@code set} and
     * {@code expire}), and whether the key is new is read first if {@code new} is wanted.
     */
    private void blindStore(int db, byte[] key, byte[] value, long expireAt) {
        if (!events.enabled(SET_EVENTS)) {
            store(db, key, value, expireAt);
            return;
        }
        try (KeyLocks.Held ignored = ks.lock(db, key)) {
            boolean created = events.enabled(Notifier.NEW) && !ks.exists(db, key);
            boolean dead = !store(db, key, value, expireAt);
            notifySet(db, key, created, expireAt, dead);
        }
    }

    private static final int SET_EVENTS = Notifier.NEW | Notifier.STRING | Notifier.GENERIC | Notifier.EXPIRED;

    /**
     * The events of a SET-like write, in Redis's order: new, set, expire. A TTL already in the past
     * (SET ... EXAT 1: {@code dead}) stores nothing here, where Redis stores a dead key and expires
     * it on the next access or expiry cycle: both report {@code expired} next. Caller holds the lock.
     */
    private void notifySet(int db, byte[] key, boolean created, long expireAt, boolean dead) {
        if (created) {
            events.notify(Notifier.NEW, "new", db, key);
        }
        events.notify(Notifier.STRING, "set", db, key);
        if (expireAt > 0) {
            events.notify(Notifier.GENERIC, "expire", db, key);
        }
        if (dead) {
            events.notify(Notifier.EXPIRED, "expired", db, key);
        }
    }

    /**
     * SET semantics for the value: a past absolute expiry deletes instead of storing a dead key.
     * Returns false in that case.
     */
    private boolean store(int db, byte[] key, byte[] value, long expireAt) {
        if (expireAt > 0 && expireAt <= ks.now()) {
            ks.delete(db, key);
            return false;
        }
        ks.setString(db, key, value, Encoding.ofString(value), expireAt);
        return true;
    }

    private Reply setnx(ClientSession s, byte[][] a) {
        try (KeyLocks.Held ignored = ks.lock(s.db(), a[1])) {
            if (ks.read(s.db(), a[1]) != null) {
                return Reply.ZERO;
            }
            store(s.db(), a[1], a[2], 0);
            notifySet(s.db(), a[1], true, 0, false);
            return Reply.ONE;
        }
    }

    private Reply setex(ClientSession s, byte[][] a, boolean millis) {
        long at = expireAt(a[2], millis ? "px" : "ex", millis ? "psetex" : "setex");
        blindStore(s.db(), a[1], a[3], at);
        return Reply.OK;
    }

    private Reply getset(ClientSession s, byte[][] a) {
        try (KeyLocks.Held ignored = ks.lock(s.db(), a[1])) {
            Metadata old = lookupRead(s.db(), a[1]);
            store(s.db(), a[1], a[2], 0);
            notifySet(s.db(), a[1], old == null, 0, false);
            return old == null ? Reply.NULL : Reply.bulk(old.payload());
        }
    }

    private Reply getdel(ClientSession s, byte[][] a) {
        try (KeyLocks.Held ignored = ks.lock(s.db(), a[1])) {
            Metadata old = lookupRead(s.db(), a[1]);
            if (old == null) {
                return Reply.NULL;
            }
            ks.delete(s.db(), a[1]);
            events.notify(Notifier.GENERIC, "del", s.db(), a[1]);
            return Reply.bulk(old.payload());
        }
    }

    private Reply getex(ClientSession s, byte[][] a) {
        SetOptions o = parseSetOptions(a, 2, false, "getex");
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = lookupRead(db, a[1]);
            if (m == null) {
                return Reply.NULL;
            }
            if (o.expireAt != 0) {
                if (o.expireAt <= ks.now()) {
                    ks.delete(db, a[1]);
                    events.notify(Notifier.GENERIC, "del", db, a[1]);
                } else {
                    ks.setExpiry(db, a[1], o.expireAt);
                    events.notify(Notifier.GENERIC, "expire", db, a[1]);
                }
            } else if (o.persist && m.hasExpiry()) {
                ks.setExpiry(db, a[1], 0);
                events.notify(Notifier.GENERIC, "persist", db, a[1]);
            }
            return Reply.bulk(m.payload());
        }
    }

    private Reply mget(ClientSession s, byte[][] a) {
        List<Reply> out = new ArrayList<>(a.length - 1);
        for (int i = 1; i < a.length; i++) {
            Metadata m = ks.read(s.db(), a[i]);
            if (m == null || m.type() != ValueType.STRING) {
                ks.stats().miss();
                if (m == null) {
                    events.notify(Notifier.KEY_MISS, "keymiss", s.db(), a[i]);
                }
                out.add(Reply.NULL);
            } else {
                ks.stats().hit();
                out.add(Reply.bulk(m.payload()));
            }
        }
        return Reply.array(out);
    }

    private static byte[][] keysOfPairs(byte[][] a) {
        byte[][] keys = new byte[(a.length - 1) / 2][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = a[1 + 2 * i];
        }
        return keys;
    }

    private Reply mset(ClientSession s, byte[][] a) {
        if (a.length % 2 == 0) {
            return Dispatcher.wrongArity(Args.lower(a[0]));
        }
        try (KeyLocks.Held ignored = ks.lock(s.db(), keysOfPairs(a))) {
            storeAll(s.db(), a);
        }
        return Reply.OK;
    }

    /** MSET's pairs as one atomic batch: a crash never leaves half of them. Caller holds the keys' locks. */
    private void storeAll(int db, byte[][] a) {
        boolean[] created = new boolean[a.length];
        if (events.enabled(Notifier.NEW)) {
            java.util.Set<java.nio.ByteBuffer> seen = new java.util.HashSet<>();
            for (int i = 1; i < a.length; i += 2) {
                created[i] = seen.add(java.nio.ByteBuffer.wrap(a[i])) && !ks.exists(db, a[i]);
            }
        }
        try (Keyspace.Changes changes = ks.changes()) {
            for (int i = 1; i < a.length; i += 2) {
                changes.putString(db, a[i], a[i + 1], Encoding.ofString(a[i + 1]), 0);
            }
            changes.commit();
        }
        for (int i = 1; i < a.length; i += 2) {
            notifySet(db, a[i], created[i], 0, false);
        }
    }

    private Reply msetnx(ClientSession s, byte[][] a) {
        if (a.length % 2 == 0) {
            return Dispatcher.wrongArity(Args.lower(a[0]));
        }
        try (KeyLocks.Held ignored = ks.lock(s.db(), keysOfPairs(a))) {
            for (int i = 1; i < a.length; i += 2) {
                if (ks.read(s.db(), a[i]) != null) {
                    return Reply.ZERO;
                }
            }
            storeAll(s.db(), a);
        }
        return Reply.ONE;
    }

    private void checkLength(long total) {
        if (total > settings.protoMaxBulkLen()) {
            throw new CommandError(Errors.STRING_TOO_LONG);
        }
    }

    private Reply append(ClientSession s, byte[][] a) {
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = string(db, a[1]);
            if (m == null) {
                store(db, a[1], a[2], 0);
                events.notify(Notifier.NEW, "new", db, a[1]);
                events.notify(Notifier.STRING, "append", db, a[1]);
                return Reply.integer(a[2].length);
            }
            checkLength((long) m.payload().length + a[2].length);
            byte[] v = Arrays.copyOf(m.payload(), m.payload().length + a[2].length);
            System.arraycopy(a[2], 0, v, m.payload().length, a[2].length);
            ks.updateString(db, a[1], m, v, Encoding.RAW);
            events.notify(Notifier.STRING, "append", db, a[1]);
            return Reply.integer(v.length);
        }
    }

    private Reply strlen(ClientSession s, byte[][] a) {
        Metadata m = readOnly(s.db(), a[1]);
        return Reply.integer(m == null ? 0 : m.payload().length);
    }

    private Reply getrange(ClientSession s, byte[][] a) {
        long start = Args.integer(a[2]);
        long end = Args.integer(a[3]);
        Metadata m = readOnly(s.db(), a[1]);
        byte[] v = m == null ? new byte[0] : m.payload();
        long len = v.length;
        if (start < 0 && end < 0 && start > end) {
            return Reply.bulk(new byte[0]);
        }
        if (start < 0) {
            start = len + start;
        }
        if (end < 0) {
            end = len + end;
        }
        if (start < 0) {
            start = 0;
        }
        if (end < 0) {
            end = 0;
        }
        if (end >= len) {
            end = len - 1;
        }
        if (start > end || len == 0) {
            return Reply.bulk(new byte[0]);
        }
        return Reply.bulk(Arrays.copyOfRange(v, (int) start, (int) end + 1));
    }

    private Reply setrange(ClientSession s, byte[][] a) {
        long offset = Args.integer(a[2]);
        if (offset < 0) {
            return Reply.error(Errors.OFFSET_OUT_OF_RANGE);
        }
        int db = s.db();
        byte[] value = a[3];
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = string(db, a[1]);
            byte[] old = m == null ? new byte[0] : m.payload();
            if (value.length == 0) {
                return Reply.integer(old.length);
            }
            checkLength(offset + value.length);
            byte[] v = Arrays.copyOf(old, (int) Math.max(old.length, offset + value.length));
            System.arraycopy(value, 0, v, (int) offset, value.length);
            if (m == null) {
                ks.setString(db, a[1], v, Encoding.RAW, 0);
                events.notify(Notifier.NEW, "new", db, a[1]);
            } else {
                ks.updateString(db, a[1], m, v, Encoding.RAW);
            }
            events.notify(Notifier.STRING, "setrange", db, a[1]);
            return Reply.integer(v.length);
        }
    }

    private Reply decrby(ClientSession s, byte[][] a) {
        long by = Args.integer(a[2]);
        if (by == Long.MIN_VALUE) {
            return Reply.error("ERR decrement would overflow");
        }
        return incr(s, a[1], -by);
    }

    private Reply incr(ClientSession s, byte[] key, long by) {
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, key)) {
            Metadata m = string(db, key);
            long current = 0;
            if (m != null) {
                Long parsed = Numbers.parseLong(m.payload());
                if (parsed == null) {
                    return Reply.error(Errors.NOT_INTEGER);
                }
                current = parsed;
            }
            long next;
            try {
                next = Math.addExact(current, by);
            } catch (ArithmeticException e) {
                return Reply.error(Errors.OVERFLOW);
            }
            try {
                ks.increment(db, key, m, by, next);
            } catch (ArithmeticException e) {
                // this node's running total against the counter's base: only reachable while replicating
                return Reply.error(Errors.OVERFLOW);
            }
            if (m == null) {
                events.notify(Notifier.NEW, "new", db, key);
            }
            events.notify(Notifier.STRING, "incrby", db, key);
            return Reply.integer(next);
        }
    }

    private Reply incrbyfloat(ClientSession s, byte[][] a) {
        BigDecimal by = Args.decimal(a[2]);
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = string(db, a[1]);
            BigDecimal current = BigDecimal.ZERO;
            if (m != null) {
                current = Args.parseDecimal(m.payload());
                if (current == null) {
                    return Reply.error(Errors.NOT_FLOAT);
                }
            }
            // Redis adds two x87 long doubles: both operands and the sum are rounded to 64-bit significands
            BigDecimal sum = LongDouble.round(LongDouble.round(current).add(LongDouble.round(by)));
            if (sum.abs().compareTo(BigDecimal.ONE.scaleByPowerOfTen(4932)) > 0) {
                return Reply.error(Errors.NAN_OR_INFINITY);
            }
            byte[] v = formatHuman(sum).getBytes(StandardCharsets.US_ASCII);
            Encoding enc = v.length <= 44 ? Encoding.EMBSTR : Encoding.RAW;
            if (m == null) {
                ks.setString(db, a[1], v, enc, 0);
                events.notify(Notifier.NEW, "new", db, a[1]);
            } else {
                ks.updateString(db, a[1], m, v, enc);
            }
            events.notify(Notifier.STRING, "incrbyfloat", db, a[1]);
            return Reply.bulk(v);
        }
    }

    /** Redis's LD_STR_HUMAN: fixed notation with 17 decimals, trailing zeros (and a bare point) removed. */
    static String formatHuman(BigDecimal v) {
        BigDecimal r = v.setScale(17, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (r.signum() == 0) {
            return "0";
        }
        return r.scale() < 0 ? r.setScale(0).toPlainString() : r.toPlainString();
    }
}
