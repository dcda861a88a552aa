package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.BLOCKING;
import static io.hyperkv.command.CommandFlag.DENYOOM;
import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.READONLY;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.WRITE;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.ListStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The list commands, blocking ones included, over {@link ListStore}. Replies and error words are
 * Redis 7.2's. A blocking command first runs as its non-blocking form; if that finds nothing and
 * the session may block, it parks the client with the same body as its retry
 * ({@link BlockRequest}); otherwise (MULTI/EXEC) it answers its timeout reply at once, as Redis does.
 * While blocked, a key that holds another type does not end the wait (Redis keeps the client
 * blocked too); at the first attempt it is a WRONGTYPE error.
 *
 * <p>Keyspace events as Redis 7.2's t_list.c: {@code new} when a push creates the list, then
 * {@code lpush}/{@code rpush}; {@code lpop}/{@code rpop} once per pop command; {@code linsert},
 * {@code lset}, {@code lrem} (if something went), {@code ltrim} (always, on an existing key); LMOVE
 * reports the push on the destination before the pop on the source; {@code del} when a command
 * empties a list.
 */
final class ListCommands extends Family {

    private static final String NOT_POSITIVE = "ERR value is out of range, must be positive";

    private final ListStore lists;
    private final Notifier notifier;

    ListCommands(Keyspace ks, Notifier notifier) {
        this.lists = new ListStore(ks);
        this.notifier = notifier;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("lpush", -3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "list", "fast").handler(h((s, a) -> push(s, a, true, false))).build());
        t.register(cmd("rpush", -3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "list", "fast").handler(h((s, a) -> push(s, a, false, false))).build());
        t.register(cmd("lpushx", -3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "list", "fast").handler(h((s, a) -> push(s, a, true, true))).build());
        t.register(cmd("rpushx", -3).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "list", "fast").handler(h((s, a) -> push(s, a, false, true))).build());
        t.register(cmd("lpop", -2).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "list", "fast").handler(h((s, a) -> pop(s, a, true))).build());
        t.register(cmd("rpop", -2).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "list", "fast").handler(h((s, a) -> pop(s, a, false))).build());
        t.register(cmd("llen", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "list", "fast").handler(h(this::llen)).build());
        t.register(cmd("lrange", 4).flags(READONLY).keys(1, 1, 1).acl("read", "list", "slow").handler(h(this::lrange)).build());
        t.register(cmd("lindex", 3).flags(READONLY).keys(1, 1, 1).acl("read", "list", "slow").handler(h(this::lindex)).build());
        t.register(cmd("lset", 4).flags(WRITE, DENYOOM).keys(1, 1, 1).acl("write", "list", "slow").handler(h(this::lset)).build());
        t.register(cmd("linsert", 5).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, 1, 1).acl("write", "list", "slow").handler(h(this::linsert)).build());
        t.register(cmd("lrem", 4).flags(WRITE, SLOW_PATH).keys(1, 1, 1).acl("write", "list", "slow").handler(h(this::lrem)).build());
        t.register(cmd("ltrim", 4).flags(WRITE, SLOW_PATH).keys(1, 1, 1).acl("write", "list", "slow").handler(h(this::ltrim)).build());
        t.register(cmd("lpos", -3).flags(READONLY, SLOW_PATH).keys(1, 1, 1).acl("read", "list", "slow").handler(h(this::lpos)).build());
        t.register(cmd("lmove", 5).flags(WRITE, DENYOOM).keys(1, 2, 1).acl("write", "list", "slow").handler(h(this::lmove)).build());
        t.register(cmd("rpoplpush", 3).flags(WRITE, DENYOOM).keys(1, 2, 1).acl("write", "list", "slow").handler(h(this::rpoplpush)).build());
        t.register(cmd("lmpop", -4).flags(WRITE).keys(0, 0, 0).keyFinder(a -> numkeysPositions(a, 1)).acl("write", "list", "slow").handler(h(this::lmpop)).build());
        t.register(cmd("blpop", -3).flags(WRITE, BLOCKING).keys(1, -2, 1).acl("write", "list", "slow", "blocking").handler(h((s, a) -> bpop(s, a, true))).build());
        t.register(cmd("brpop", -3).flags(WRITE, BLOCKING).keys(1, -2, 1).acl("write", "list", "slow", "blocking").handler(h((s, a) -> bpop(s, a, false))).build());
        t.register(cmd("blmove", 6).flags(WRITE, DENYOOM, BLOCKING).keys(1, 2, 1).acl("write", "list", "slow", "blocking").handler(h(this::blmove)).build());
        t.register(cmd("brpoplpush", 4).flags(WRITE, DENYOOM, BLOCKING).keys(1, 2, 1).acl("write", "list", "slow", "blocking").handler(h(this::brpoplpush)).build());
        t.register(cmd("blmpop", -5).flags(WRITE, BLOCKING).keys(0, 0, 0).keyFinder(a -> numkeysPositions(a, 2)).acl("write", "list", "slow", "blocking").handler(h(this::blmpop)).build());
    }

    /** The family's error boundary plus WRONGTYPE from the store. */
    private static CommandHandler h(CommandHandler handler) {
        return guarded((s, a) -> {
            try {
                return handler.handle(s, a);
            } catch (ListStore.WrongType e) {
                return Reply.error(Errors.WRONGTYPE);
            }
        });
    }

    /** LMPOP/BLMPOP key positions: {@code numkeys} at {@code at}, keys after it; empty when malformed. */
    static int[] numkeysPositions(byte[][] a, int at) {
        if (a.length <= at) {
            return new int[0];
        }
        Long n = io.hyperkv.store.Numbers.parseLong(a[at]);
        if (n == null || n < 1 || n > a.length - at - 1) {
            return new int[0];
        }
        int[] out = new int[n.intValue()];
        for (int i = 0; i < out.length; i++) {
            out[i] = at + 1 + i;
        }
        return out;
    }

    // ------------------------------------------------------------------ push / pop

    private Reply push(ClientSession s, byte[][] a, boolean left, boolean onlyIfExists) {
        List<byte[]> values = Arrays.asList(a).subList(2, a.length);
        long length = lists.push(s.db(), a[1], values, left, onlyIfExists).length();
        if (length > 0) {
            pushed(s.db(), a[1], left, length == values.size());
        }
        return Reply.integer(length);
    }

    private Reply pop(ClientSession s, byte[][] a, boolean left) {
        if (a.length > 3) {
            return Dispatcher.wrongArity(left ? "lpop" : "rpop");
        }
        if (a.length == 2) {
            ListStore.Removed r = lists.pop(s.db(), a[1], 1, left);
            popped(s.db(), a[1], left, r);
            return r == null ? Reply.NULL : Reply.bulk(r.values().get(0));
        }
        long count = positive(a[2], NOT_POSITIVE);
        ListStore.Removed r = lists.pop(s.db(), a[1], count, left);
        popped(s.db(), a[1], left, r);
        return r == null ? Reply.NULL_ARRAY : bulks(r.values());
    }

    private Reply llen(ClientSession s, byte[][] a) {
        return Reply.integer(lists.length(s.db(), a[1]));
    }

    private Reply lrange(ClientSession s, byte[][] a) {
        long start = Args.integer(a[2]);
        long stop = Args.integer(a[3]);
        return bulks(lists.range(s.db(), a[1], start, stop));
    }

    private Reply lindex(ClientSession s, byte[][] a) {
        // Redis looks the key up before it parses the index
        if (!lists.exists(s.db(), a[1])) {
            return Reply.NULL;
        }
        long index = Args.integer(a[2]);
        return Reply.bulk(lists.index(s.db(), a[1], index));
    }

    private Reply lset(ClientSession s, byte[][] a) {
        if (!lists.exists(s.db(), a[1])) {
            return Reply.error(Errors.NO_SUCH_KEY);
        }
        long index = Args.integer(a[2]);
        return switch (lists.set(s.db(), a[1], index, a[3])) {
            case OK -> {
                notifier.notify(Notifier.LIST, "lset", s.db(), a[1]);
                yield Reply.OK;
            }
            case NO_SUCH_KEY -> Reply.error(Errors.NO_SUCH_KEY);
            case OUT_OF_RANGE -> Reply.error("ERR index out of range");
        };
    }

    private Reply linsert(ClientSession s, byte[][] a) {
        boolean before;
        if (Args.is(a[2], "before")) {
            before = true;
        } else if (Args.is(a[2], "after")) {
            before = false;
        } else {
            return Reply.error(Errors.SYNTAX);
        }
        long length = lists.insert(s.db(), a[1], before, a[3], a[4]).length();
        if (length > 0) {
            notifier.notify(Notifier.LIST, "linsert", s.db(), a[1]);
        }
        return Reply.integer(length);
    }

    private Reply lrem(ClientSession s, byte[][] a) {
        long count = Args.integer(a[2]);
        ListStore.Removed r = lists.remove(s.db(), a[1], count, a[3]);
        if (!r.values().isEmpty()) {
            notifier.notify(Notifier.LIST, "lrem", s.db(), a[1]);
            deletedIfEmpty(s.db(), a[1], r.remaining());
        }
        return Reply.integer(r.values().size());
    }

    private Reply ltrim(ClientSession s, byte[][] a) {
        long start = Args.integer(a[2]);
        long stop = Args.integer(a[3]);
        ListStore.Removed r = lists.trim(s.db(), a[1], start, stop);
        if (r != null) {
            notifier.notify(Notifier.LIST, "ltrim", s.db(), a[1]);
            deletedIfEmpty(s.db(), a[1], r.remaining());
        }
        return Reply.OK;
    }

    private Reply lpos(ClientSession s, byte[][] a) {
        long rank = 1;
        long count = -1;
        long maxlen = 0;
        for (int j = 3; j < a.length; j++) {
            boolean more = j + 1 < a.length;
            if (Args.is(a[j], "rank") && more) {
                rank = Args.integer(a[++j]);
                if (rank == Long.MIN_VALUE) {
                    // Redis 7.2 bounds RANK to ±LONG_MAX; 7.0 accepted LONG_MIN and negated it into garbage
                    throw new CommandError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
                }
                if (rank == 0) {
                    throw new CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
                            + "or use negative to start from the end of the list");
                }
            } else if (Args.is(a[j], "count") && more) {
                count = positive(a[++j], "ERR COUNT can't be negative");
            } else if (Args.is(a[j], "maxlen") && more) {
                maxlen = positive(a[++j], "ERR MAXLEN can't be negative");
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        List<Long> found = lists.positions(s.db(), a[1], a[2], rank, count == -1 ? 1 : count, maxlen);
        if (count == -1) {
            return found.isEmpty() ? Reply.NULL : Reply.integer(found.get(0));
        }
        List<Reply> out = new ArrayList<>(found.size());
        found.forEach(i -> out.add(Reply.integer(i)));
        return Reply.array(out);
    }

    // ------------------------------------------------------------------ moves

    private Reply lmove(ClientSession s, byte[][] a) {
        boolean fromLeft = side(a[3]);
        boolean toLeft = side(a[4]);
        return Reply.bulk(move(s.db(), a[1], a[2], fromLeft, toLeft));
    }

    private Reply rpoplpush(ClientSession s, byte[][] a) {
        return Reply.bulk(move(s.db(), a[1], a[2], false, true));
    }

    /** LMOVE and its events; the moved value or null. */
    private byte[] move(int db, byte[] src, byte[] dst, boolean fromLeft, boolean toLeft) {
        ListStore.Moved m = lists.move(db, src, dst, fromLeft, toLeft);
        if (m.value() != null) {
            pushed(db, dst, toLeft, m.destinationLength() == 1 && !Arrays.equals(src, dst));
            notifier.notify(Notifier.LIST, fromLeft ? "lpop" : "rpop", db, src);
            deletedIfEmpty(db, src, m.sourceRemaining());
        }
        return m.value();
    }

    private Reply blmove(ClientSession s, byte[][] a) {
        boolean fromLeft = side(a[3]);
        boolean toLeft = side(a[4]);
        return blockingMove(s, a[1], a[2], fromLeft, toLeft, a[5]);
    }

    private Reply brpoplpush(ClientSession s, byte[][] a) {
        return blockingMove(s, a[1], a[2], false, true, a[3]);
    }

    private Reply blockingMove(ClientSession s, byte[] src, byte[] dst, boolean fromLeft, boolean toLeft, byte[] timeoutArg) {
        long timeout = BlockRequest.timeoutSeconds(timeoutArg);
        int db = s.db();
        byte[] value = move(db, src, dst, fromLeft, toLeft);
        if (value != null) {
            return Reply.bulk(value);
        }
        if (!s.mayBlock()) {
            return Reply.NULL;
        }
        byte[] source = src.clone();
        byte[] destination = dst.clone();
        return s.block(new BlockRequest(db, List.of(source), timeout, () -> {
            try {
                if (!lists.exists(db, source)) {
                    return null;
                }
            } catch (ListStore.WrongType e) {
                return null;
            }
            try {
                byte[] moved = move(db, source, destination, fromLeft, toLeft);
                return moved == null ? null : Reply.bulk(moved);
            } catch (ListStore.WrongType e) {
                return Reply.error(Errors.WRONGTYPE);
            }
        }, Reply.NULL));
    }

    // ------------------------------------------------------------------ multi-key pops

    /** Parsed LMPOP/BLMPOP arguments after numkeys. */
    private record MultiPop(List<byte[]> keys, boolean left, long count) {}

    private static MultiPop parseMultiPop(byte[][] a, int numkeysAt) {
        Long n = io.hyperkv.store.Numbers.parseLong(a[numkeysAt]);
        if (n == null || n < 1) {
            throw new CommandError("ERR numkeys should be greater than 0");
        }
        // compared before adding: numkeys near LONG_MAX must not wrap around
        if (n >= a.length - numkeysAt - 1) {
            throw new CommandError(Errors.SYNTAX);
        }
        int whereAt = numkeysAt + n.intValue() + 1;
        boolean left = side(a[whereAt]);
        long count = -1;
        for (int j = whereAt + 1; j < a.length; j++) {
            if (count == -1 && Args.is(a[j], "count") && j + 1 < a.length) {
                Long c = io.hyperkv.store.Numbers.parseLong(a[++j]);
                if (c == null || c < 1) {
                    throw new CommandError("ERR count should be greater than 0");
                }
                count = c;
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = numkeysAt + 1; i < whereAt; i++) {
            keys.add(a[i].clone());
        }
        return new MultiPop(keys, left, count == -1 ? 1 : count);
    }

    private Reply lmpop(ClientSession s, byte[][] a) {
        MultiPop p = parseMultiPop(a, 1);
        Reply r = multiPop(s.db(), p, false);
        return r == null ? Reply.NULL_ARRAY : r;
    }

    private Reply blmpop(ClientSession s, byte[][] a) {
        MultiPop p = parseMultiPop(a, 2);
        long timeout = BlockRequest.timeoutSeconds(a[1]);
        int db = s.db();
        Reply r = multiPop(db, p, false);
        if (r != null) {
            return r;
        }
        if (!s.mayBlock()) {
            return Reply.NULL_ARRAY;
        }
        return s.block(new BlockRequest(db, p.keys(), timeout, () -> multiPop(db, p, true), Reply.NULL_ARRAY));
    }

    /** [key, [values]] from the first non-empty list, or null; {@code blocked}: wrong types are skipped. */
    private Reply multiPop(int db, MultiPop p, boolean blocked) {
        for (byte[] key : p.keys()) {
            ListStore.Removed r;
            try {
                r = lists.pop(db, key, p.count(), p.left());
            } catch (ListStore.WrongType e) {
                if (blocked) {
                    continue;
                }
                throw e;
            }
            if (r != null && !r.values().isEmpty()) {
                popped(db, key, p.left(), r);
                return Reply.array(List.of(Reply.bulk(key), bulks(r.values())));
            }
        }
        return null;
    }

    private Reply bpop(ClientSession s, byte[][] a, boolean left) {
        return BlockRequest.popOrBlock(s, a, (db, keys, blocked) -> singlePop(db, keys, left, blocked));
    }

    /** BLPOP/BRPOP's [key, value] from the first non-empty list, or null. */
    private Reply singlePop(int db, List<byte[]> keys, boolean left, boolean blocked) {
        for (byte[] key : keys) {
            ListStore.Removed r;
            try {
                r = lists.pop(db, key, 1, left);
            } catch (ListStore.WrongType e) {
                if (blocked) {
                    continue;
                }
                throw e;
            }
            if (r != null && !r.values().isEmpty()) {
                popped(db, key, left, r);
                return Reply.array(List.of(Reply.bulk(key), Reply.bulk(r.values().get(0))));
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ keyspace events

    private void pushed(int db, byte[] key, boolean left, boolean created) {
        if (created) {
            notifier.notify(Notifier.NEW, "new", db, key);
        }
        notifier.notify(Notifier.LIST, left ? "lpush" : "rpush", db, key);
    }

    private void popped(int db, byte[] key, boolean left, ListStore.Removed r) {
        if (r != null && !r.values().isEmpty()) {
            notifier.notify(Notifier.LIST, left ? "lpop" : "rpop", db, key);
            deletedIfEmpty(db, key, r.remaining());
        }
    }

    private void deletedIfEmpty(int db, byte[] key, long remaining) {
        if (remaining == 0) {
            notifier.notify(Notifier.GENERIC, "del", db, key);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static boolean side(byte[] arg) {
        if (Args.is(arg, "left")) {
            return true;
        }
        if (Args.is(arg, "right")) {
            return false;
        }
        throw new CommandError(Errors.SYNTAX);
    }

    /** Redis's getPositiveLongFromObjectOrReply with a message: non-integers and negatives get {@code error}. */
    private static long positive(byte[] arg, String error) {
        Long v = io.hyperkv.store.Numbers.parseLong(arg);
        if (v == null || v < 0) {
            throw new CommandError(error);
        }
        return v;
    }

    private static Reply bulks(List<byte[]> values) {
        List<Reply> out = new ArrayList<>(values.size());
        for (byte[] v : values) {
            out.add(Reply.bulk(v));
        }
        return Reply.array(out);
    }
}
