package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.DENYOOM;
import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.READONLY;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.WRITE;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.RegisterValue;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.HashStore;
import io.hyperkv.store.KeyLocks;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.Numbers;
import io.hyperkv.store.SetStore;
import io.hyperkv.store.ValueType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hash commands over {@link HashStore} (an OR-map of registers: HSET assigns, HINCRBY counts,
 * HDEL removes what it saw). Writes hold the key's lock across read and write. HINCRBYFLOAT
 * computes the sum as Redis's x87 long double does ({@link LongDouble}) and assigns the printed
 * result. HGETALL, HKEYS and HVALS read the whole hash and run on a worker
 * ({@link CommandFlag#SLOW_PATH}); HRANDFIELD too, since a count makes it O(n).
 *
 * <p>Differences from Redis, documented: random picks are not uniform; a negative HRANDFIELD count
 * larger than {@value SetCommands#MAX_RANDOM_REPLY} in magnitude is refused.
 */
final class HashCommands extends Family {

    private final Keyspace ks;
    private final HashStore store;
    private final Notifier notifier;

    HashCommands(Keyspace ks, HashStore store, Notifier notifier) {
        this.ks = ks;
        this.store = store;
        this.notifier = notifier;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("hset", -4).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "hash", "fast").handler(guarded((s, a) -> hset(s, a, false))).build());
        t.register(cmd("hmset", -4).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "hash", "fast").handler(guarded((s, a) -> hset(s, a, true))).build());
        t.register(cmd("hsetnx", 4).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "hash", "fast").handler(guarded(this::hsetnx)).build());
        t.register(cmd("hget", 3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "hash", "fast").handler(guarded(this::hget)).build());
        t.register(cmd("hmget", -3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "hash", "fast").handler(guarded(this::hmget)).build());
        t.register(cmd("hgetall", 2).flags(READONLY, SLOW_PATH).keys(1, 1, 1).acl("read", "hash", "slow").handler(guarded(this::hgetall)).build());
        t.register(cmd("hkeys", 2).flags(READONLY, SLOW_PATH).keys(1, 1, 1).acl("read", "hash", "slow").handler(guarded((s, a) -> hkeysOrVals(s, a, true))).build());
        t.register(cmd("hvals", 2).flags(READONLY, SLOW_PATH).keys(1, 1, 1).acl("read", "hash", "slow").handler(guarded((s, a) -> hkeysOrVals(s, a, false))).build());
        t.register(cmd("hdel", -3).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "hash", "fast").handler(guarded(this::hdel)).build());
        t.register(cmd("hexists", 3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "hash", "fast").handler(guarded(this::hexists)).build());
        t.register(cmd("hlen", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "hash", "fast").handler(guarded(this::hlen)).build());
        t.register(cmd("hstrlen", 3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "hash", "fast").handler(guarded(this::hstrlen)).build());
        t.register(cmd("hincrby", 4).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "hash", "fast").handler(guarded(this::hincrby)).build());
        t.register(cmd("hincrbyfloat", 4).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "hash", "fast").handler(guarded(this::hincrbyfloat)).build());
        t.register(cmd("hscan", -3).flags(READONLY).keys(1, 1, 1).acl("read", "hash", "slow").handler(guarded(this::hscan)).build());
        t.register(cmd("hrandfield", -2).flags(READONLY, SLOW_PATH).keys(1, 1, 1).acl("read", "hash", "slow").handler(guarded(this::hrandfield)).build());
    }

    /** The live hash at key, null if absent; WRONGTYPE for another type. */
    private Metadata hash(int db, byte[] key) {
        Metadata m = ks.read(db, key);
        if (m != null && m.type() != ValueType.HASH) {
            throw new CommandError(Errors.WRONGTYPE);
        }
        return m;
    }

    private Reply hset(ClientSession s, byte[][] a, boolean hmset) {
        if (a.length % 2 == 1) {
            return Dispatcher.wrongArity(Args.lower(a[0]));
        }
        Map<Bytes, Bytes> pairs = new LinkedHashMap<>();
        for (int i = 2; i < a.length; i += 2) {
            pairs.put(Bytes.of(a[i]), Bytes.of(a[i + 1]));
        }
        int db = s.db();
        int created;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            created = store.put(db, a[1], hash(db, a[1]), pairs, (a.length - 2) / 2);
        }
        notifier.notify(Notifier.HASH, "hset", db, a[1]);
        return hmset ? Reply.OK : Reply.integer(created);
    }

    private Reply hsetnx(ClientSession s, byte[][] a) {
        int db = s.db();
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = hash(db, a[1]);
            if (store.register(db, a[1], m, a[2]).isPresent()) {
                return Reply.ZERO;
            }
            store.put(db, a[1], m, Map.of(Bytes.of(a[2]), Bytes.of(a[3])), 1);
        }
        notifier.notify(Notifier.HASH, "hset", db, a[1]);
        return Reply.ONE;
    }

    private Reply hget(ClientSession s, byte[][] a) {
        return Reply.bulk(store.get(s.db(), a[1], hash(s.db(), a[1]), a[2]));
    }

    private Reply hmget(ClientSession s, byte[][] a) {
        Metadata m = hash(s.db(), a[1]);
        List<Reply> out = new ArrayList<>(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            out.add(Reply.bulk(store.get(s.db(), a[1], m, a[i])));
        }
        return Reply.array(out);
    }

    private Reply hgetall(ClientSession s, byte[][] a) {
        Metadata m = hash(s.db(), a[1]);
        List<Reply> out = new ArrayList<>();
        if (m != null) {
            for (HashStore.Field f : store.all(s.db(), a[1], m)) {
                out.add(Reply.bulk(f.field()));
                out.add(Reply.bulk(f.value()));
            }
        }
        return new Reply.MapReply(out);
    }

    private Reply hkeysOrVals(ClientSession s, byte[][] a, boolean keys) {
        Metadata m = hash(s.db(), a[1]);
        List<Reply> out = new ArrayList<>();
        if (m != null) {
            for (HashStore.Field f : store.all(s.db(), a[1], m)) {
                out.add(Reply.bulk(keys ? f.field() : f.value()));
            }
        }
        return Reply.array(out);
    }

    private Reply hdel(ClientSession s, byte[][] a) {
        int db = s.db();
        int removed;
        boolean gone;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = hash(db, a[1]);
            removed = store.delete(db, a[1], m, Arrays.asList(a).subList(2, a.length));
            gone = removed > 0 && removed == m.size();
        }
        if (removed > 0) {
            notifier.notify(Notifier.HASH, "hdel", db, a[1]);
            if (gone) {
                notifier.notify(Notifier.GENERIC, "del", db, a[1]);
            }
        }
        return Reply.integer(removed);
    }

    private Reply hexists(ClientSession s, byte[][] a) {
        return store.register(s.db(), a[1], hash(s.db(), a[1]), a[2]).isPresent() ? Reply.ONE : Reply.ZERO;
    }

    private Reply hlen(ClientSession s, byte[][] a) {
        Metadata m = hash(s.db(), a[1]);
        return Reply.integer(m == null ? 0 : m.size());
    }

    private Reply hstrlen(ClientSession s, byte[][] a) {
        byte[] v = store.get(s.db(), a[1], hash(s.db(), a[1]), a[2]);
        return Reply.integer(v == null ? 0 : v.length);
    }

    private Reply hincrby(ClientSession s, byte[][] a) {
        long by = Args.integer(a[3]);
        int db = s.db();
        long next;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = hash(db, a[1]);
            Optional<RegisterValue> current = store.register(db, a[1], m, a[2]);
            long value = 0;
            if (current.isPresent()) {
                Long parsed = Numbers.parseLong(current.get().bytes().toByteArray());
                if (parsed == null) {
                    return Reply.error("ERR hash value is not an integer");
                }
                value = parsed;
            }
            try {
                next = Math.addExact(value, by);
                store.increment(db, a[1], m, a[2], by);
            } catch (ArithmeticException e) {
                return Reply.error(Errors.OVERFLOW);
            }
        }
        notifier.notify(Notifier.HASH, "hincrby", db, a[1]);
        return Reply.integer(next);
    }

    private Reply hincrbyfloat(ClientSession s, byte[][] a) {
        if (isInfinity(a[3])) {
            return Reply.error("ERR value is NaN or Infinity");
        }
        BigDecimal by = Args.decimal(a[3]);
        int db = s.db();
        byte[] printed;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = hash(db, a[1]);
            Optional<RegisterValue> current = store.register(db, a[1], m, a[2]);
            BigDecimal value = BigDecimal.ZERO;
            if (current.isPresent()) {
                byte[] raw = current.get().bytes().toByteArray();
                value = Args.parseDecimal(raw);
                if (value == null) {
                    return Reply.error(isInfinity(raw) ? Errors.NAN_OR_INFINITY : "ERR hash value is not a float");
                }
            }
            // two x87 long doubles added, as Redis: both operands and the sum rounded to 64-bit significands
            BigDecimal sum = LongDouble.round(LongDouble.round(value).add(LongDouble.round(by)));
            if (sum.abs().compareTo(BigDecimal.ONE.scaleByPowerOfTen(4932)) > 0) {
                return Reply.error(Errors.NAN_OR_INFINITY);
            }
            printed = StringCommands.formatHuman(sum).getBytes(StandardCharsets.US_ASCII);
            store.put(db, a[1], m, Map.of(Bytes.of(a[2]), Bytes.of(printed)), 1);
        }
        notifier.notify(Notifier.HASH, "hincrbyfloat", db, a[1]);
        return Reply.bulk(printed);
    }

    /** What strtold reads as an infinity ("inf", "-Infinity"...): Redis refuses it with its own words. */
    private static boolean isInfinity(byte[] arg) {
        String t = Args.lower(arg);
        if (t.startsWith("+") || t.startsWith("-")) {
            t = t.substring(1);
        }
        return t.equals("inf") || t.equals("infinity");
    }

    private Reply hscan(ClientSession s, byte[][] a) {
        long cursor = SetCommands.scanCursor(a[2]);
        Metadata m = hash(s.db(), a[1]);
        if (m == null) {
            return SetCommands.emptyScan();
        }
        SetCommands.ScanOptions o = SetCommands.ScanOptions.parse(a, 3);
        SetStore.ElementPage page = store.scan(s.db(), a[1], m, cursor, o.count(), o.match());
        return SetCommands.scanReply(page);
    }

    private Reply hrandfield(ClientSession s, byte[][] a) {
        int db = s.db();
        if (a.length == 2) {
            Metadata m = hash(db, a[1]);
            if (m == null) {
                return Reply.NULL;
            }
            HashStore.Field f = store.random(db, a[1], m);
            return f == null ? Reply.NULL : Reply.bulk(f.field());
        }
        long count = SetCommands.pickCount(a[2]);
        boolean withValues = false;
        if (a.length > 4 || (a.length == 4 && !Args.is(a[3], "withvalues"))) {
            return Reply.error(Errors.SYNTAX);
        } else if (a.length == 4) {
            withValues = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                return Reply.error("ERR value is out of range");
            }
        }
        Metadata m = hash(db, a[1]);
        if (m == null || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        List<HashStore.Field> picked = count > 0 ? store.randomDistinct(db, a[1], m, count)
                : store.randomWithRepeats(db, a[1], m, -count);
        List<Reply> out = new ArrayList<>(picked.size() * (withValues ? 2 : 1));
        for (HashStore.Field f : picked) {
            if (!withValues) {
                out.add(Reply.bulk(f.field()));
            } else if (s.protocol() >= 3) {
                out.add(Reply.array(List.of(Reply.bulk(f.field()), Reply.bulk(f.value()))));
            } else {
                out.add(Reply.bulk(f.field()));
                out.add(Reply.bulk(f.value()));
            }
        }
        return Reply.array(out);
    }
}
