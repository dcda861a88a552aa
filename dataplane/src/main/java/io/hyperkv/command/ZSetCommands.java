package io.hyperkv.command;

import static io.hyperkv.command.CommandFlag.BLOCKING;
import static io.hyperkv.command.CommandFlag.DENYOOM;
import static io.hyperkv.command.CommandFlag.FAST;
import static io.hyperkv.command.CommandFlag.READONLY;
import static io.hyperkv.command.CommandFlag.SLOW_PATH;
import static io.hyperkv.command.CommandFlag.WRITE;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import io.hyperkv.store.Glob;
import io.hyperkv.store.KeyCodec;
import io.hyperkv.store.KeyLocks;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.Metadata;
import io.hyperkv.store.Numbers;
import io.hyperkv.store.ValueType;
import io.hyperkv.store.ZSetStore;
import io.hyperkv.store.ZSetStore.LexBound;
import io.hyperkv.store.ZSetStore.LexRange;
import io.hyperkv.store.ZSetStore.Member;
import io.hyperkv.store.ZSetStore.ScoreRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The sorted-set commands, over {@link ZSetStore} (layout and invariants there). Replies, option
 * parsing and error words follow Redis 7.2's t_zset.c: scores are doubles ({@link Reply.DoubleReply},
 * printed by {@code RedisDouble}), RESP3 WITHSCORES replies are arrays of [member, score] pairs.
 *
 * <p>Departures, all documented: ZINCRBY / ZADD INCR assign the computed score (LWW), they are not
 * counters; ZRANGEBYLEX on a set with mixed scores answers in member order; ZRANDMEMBER picks by
 * seeking random points (not uniform on large sets); ZSCAN of a skiplist-encoded set pages in
 * member order with cursors kept in a bounded table (a forgotten cursor restarts the scan).
 *
 * <p>Set-algebra commands (ZUNION*, ZINTER*, ZDIFF*, ZINTERCARD) read whole inputs and run on a
 * worker ({@link CommandFlag#SLOW_PATH}); point and range commands stay on the event loop.
 */
final class ZSetCommands extends Family {

    private static final String NAN_RESULT = "ERR resulting score is not a number (NaN)";
    private static final String NOT_FLOAT_RANGE = "ERR min or max is not a float";
    private static final String NOT_LEX_RANGE = "ERR min or max not valid string range item";
    private static final int SCAN_CURSORS = 16_384;
    /** Below this size random picks load the whole set and choose uniformly. */
    private static final long SMALL = 1024;

    private final Keyspace ks;
    private final ZSetStore store;
    private final Notifier notifier;
    private final java.util.concurrent.atomic.AtomicLong cursorIds =
            new java.util.concurrent.atomic.AtomicLong(ThreadLocalRandom.current().nextInt(1, 1 << 20));
    private final Map<Long, byte[]> cursors = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > SCAN_CURSORS;
        }
    };

    ZSetCommands(Keyspace ks, Settings settings, Notifier notifier) {
        this.ks = ks;
        this.notifier = notifier;
        this.store = new ZSetStore(ks, () -> new ZSetStore.ListpackLimits(
                limit(settings, "zset-max-listpack-entries", 128), limit(settings, "zset-max-listpack-value", 64)));
    }

    private static long limit(Settings settings, String name, long fallback) {
        String v = settings.get(name);
        return v == null ? fallback : Long.parseLong(v);
    }

    ZSetStore store() {
        return store;
    }

    @Override
    void register(CommandTable t) {
        t.register(cmd("zadd", -4).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "sortedset", "fast").handler(guarded((s, a) -> zadd(s, a, false))).build());
        t.register(cmd("zincrby", 4).flags(WRITE, DENYOOM, FAST).keys(1, 1, 1).acl("write", "sortedset", "fast").handler(guarded((s, a) -> zadd(s, a, true))).build());
        t.register(cmd("zrem", -3).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "sortedset", "fast").handler(guarded(this::zrem)).build());
        t.register(cmd("zscore", 3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "sortedset", "fast").handler(guarded(this::zscore)).build());
        t.register(cmd("zmscore", -3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "sortedset", "fast").handler(guarded(this::zmscore)).build());
        t.register(cmd("zcard", 2).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "sortedset", "fast").handler(guarded(this::zcard)).build());
        t.register(cmd("zcount", 4).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "sortedset", "fast").handler(guarded(this::zcount)).build());
        t.register(cmd("zlexcount", 4).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "sortedset", "fast").handler(guarded(this::zlexcount)).build());
        t.register(cmd("zrange", -4).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> zrange(s, a, Kind.AUTO, false, false))).build());
        t.register(cmd("zrangestore", -5).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, 2, 1).acl("write", "sortedset", "slow").handler(guarded((s, a) -> zrange(s, a, Kind.AUTO, false, true))).build());
        t.register(cmd("zrevrange", -4).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> zrange(s, a, Kind.RANK, true, false))).build());
        t.register(cmd("zrangebyscore", -4).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> zrange(s, a, Kind.SCORE, false, false))).build());
        t.register(cmd("zrevrangebyscore", -4).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> zrange(s, a, Kind.SCORE, true, false))).build());
        t.register(cmd("zrangebylex", -4).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> zrange(s, a, Kind.LEX, false, false))).build());
        t.register(cmd("zrevrangebylex", -4).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> zrange(s, a, Kind.LEX, true, false))).build());
        t.register(cmd("zrank", -3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "sortedset", "fast").handler(guarded((s, a) -> zrank(s, a, false))).build());
        t.register(cmd("zrevrank", -3).flags(READONLY, FAST).keys(1, 1, 1).acl("read", "sortedset", "fast").handler(guarded((s, a) -> zrank(s, a, true))).build());
        t.register(cmd("zpopmin", -2).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "sortedset", "fast").handler(guarded((s, a) -> zpop(s, a, false))).build());
        t.register(cmd("zpopmax", -2).flags(WRITE, FAST).keys(1, 1, 1).acl("write", "sortedset", "fast").handler(guarded((s, a) -> zpop(s, a, true))).build());
        t.register(cmd("zmpop", -4).flags(WRITE).keys(2, 2, 1).keyFinder(ZSetCommands::numkeysAt1).acl("write", "sortedset", "slow").handler(guarded(this::zmpop)).build());
        t.register(cmd("bzpopmin", -3).flags(WRITE, FAST, BLOCKING).keys(1, -2, 1).acl("write", "sortedset", "fast", "blocking").handler(guarded((s, a) -> bzpop(s, a, false))).build());
        t.register(cmd("bzpopmax", -3).flags(WRITE, FAST, BLOCKING).keys(1, -2, 1).acl("write", "sortedset", "fast", "blocking").handler(guarded((s, a) -> bzpop(s, a, true))).build());
        t.register(cmd("bzmpop", -5).flags(WRITE, BLOCKING).keys(3, 3, 1).keyFinder(ZSetCommands::numkeysAt2).acl("write", "sortedset", "slow", "blocking").handler(guarded(this::bzmpop)).build());
        t.register(cmd("zremrangebyrank", 4).flags(WRITE).keys(1, 1, 1).acl("write", "sortedset", "slow").handler(guarded((s, a) -> zremrange(s, a, Kind.RANK))).build());
        t.register(cmd("zremrangebyscore", 4).flags(WRITE).keys(1, 1, 1).acl("write", "sortedset", "slow").handler(guarded((s, a) -> zremrange(s, a, Kind.SCORE))).build());
        t.register(cmd("zremrangebylex", 4).flags(WRITE).keys(1, 1, 1).acl("write", "sortedset", "slow").handler(guarded((s, a) -> zremrange(s, a, Kind.LEX))).build());
        t.register(cmd("zunionstore", -4).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, 1, 1).keyFinder(ZSetCommands::destinationAndNumkeys).acl("write", "sortedset", "slow").handler(guarded((s, a) -> algebra(s, a, Op.UNION, true, false))).build());
        t.register(cmd("zinterstore", -4).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, 1, 1).keyFinder(ZSetCommands::destinationAndNumkeys).acl("write", "sortedset", "slow").handler(guarded((s, a) -> algebra(s, a, Op.INTER, true, false))).build());
        t.register(cmd("zdiffstore", -4).flags(WRITE, DENYOOM, SLOW_PATH).keys(1, 1, 1).keyFinder(ZSetCommands::destinationAndNumkeys).acl("write", "sortedset", "slow").handler(guarded((s, a) -> algebra(s, a, Op.DIFF, true, false))).build());
        t.register(cmd("zunion", -3).flags(READONLY, SLOW_PATH).keys(2, 2, 1).keyFinder(ZSetCommands::numkeysAt1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> algebra(s, a, Op.UNION, false, false))).build());
        t.register(cmd("zinter", -3).flags(READONLY, SLOW_PATH).keys(2, 2, 1).keyFinder(ZSetCommands::numkeysAt1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> algebra(s, a, Op.INTER, false, false))).build());
        t.register(cmd("zdiff", -3).flags(READONLY, SLOW_PATH).keys(2, 2, 1).keyFinder(ZSetCommands::numkeysAt1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> algebra(s, a, Op.DIFF, false, false))).build());
        t.register(cmd("zintercard", -3).flags(READONLY, SLOW_PATH).keys(2, 2, 1).keyFinder(ZSetCommands::numkeysAt1).acl("read", "sortedset", "slow").handler(guarded((s, a) -> algebra(s, a, Op.INTER, false, true))).build());
        t.register(cmd("zscan", -3).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded(this::zscan)).build());
        t.register(cmd("zrandmember", -2).flags(READONLY).keys(1, 1, 1).acl("read", "sortedset", "slow").handler(guarded(this::zrandmember)).build());
    }

    // ---------------------------------------------------------------- key positions

    /** {@code cmd numkeys key...}: keys at 2..2+numkeys-1 (ZUNION, ZINTER, ZDIFF, ZINTERCARD, ZMPOP). */
    static int[] numkeysAt1(byte[][] argv) {
        return numkeyed(argv, 1, new int[0]);
    }

    /** {@code BZMPOP timeout numkeys key...}. */
    static int[] numkeysAt2(byte[][] argv) {
        return numkeyed(argv, 2, new int[0]);
    }

    /** {@code cmd destination numkeys key...} (ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE). */
    static int[] destinationAndNumkeys(byte[][] argv) {
        return argv.length < 2 ? new int[0] : numkeyed(argv, 2, new int[] {1});
    }

    private static int[] numkeyed(byte[][] argv, int at, int[] before) {
        if (argv.length <= at) {
            return new int[0];
        }
        Long n = Numbers.parseLong(argv[at]);
        if (n == null || n < 1 || n > argv.length - at - 1) {
            return new int[0];
        }
        int[] out = Arrays.copyOf(before, before.length + n.intValue());
        for (int i = 0; i < n; i++) {
            out[before.length + i] = at + 1 + i;
        }
        return out;
    }

    // ---------------------------------------------------------------- parsing

    /**
     * A score as Redis's {@code string2d} accepts it (ZADD, ZINCRBY, WEIGHTS): strtod syntax
     * (decimal, exponent, hexadecimal, inf/infinity), the whole argument, no leading space, not
     * NaN, no overflow to ±inf and no underflow to zero. Null if not acceptable.
     */
    static Double parseScore(byte[] arg) {
        if (arg.length == 0 || isSpace(arg[0])) {
            return null;
        }
        Strtod r = strtod(arg, 0);
        if (r == null || r.end != arg.length || Double.isNaN(r.value)) {
            return null;
        }
        if (Double.isInfinite(r.value) && !r.infLiteral) {
            return null;
        }
        if (r.value == 0 && r.nonZeroDigit) {
            return null;
        }
        return r.value;
    }

    private static double score(byte[] arg, String error) {
        Double v = parseScore(arg);
        if (v == null) {
            throw new CommandError(error);
        }
        return v;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == 0x0B || b == '\f' || b == '\r';
    }

    /** The result of a C {@code strtod}: the value, where parsing stopped, and the facts string2d checks. */
    private record Strtod(double value, int end, boolean infLiteral, boolean nonZeroDigit) {}

    /** C's strtod from {@code from}: leading white space, sign, then inf[inity], nan, 0x hex or decimal. Null if nothing parsed. */
    private static Strtod strtod(byte[] s, int from) {
        int i = from;
        while (i < s.length && isSpace(s[i])) {
            i++;
        }
        boolean negative = false;
        if (i < s.length && (s[i] == '+' || s[i] == '-')) {
            negative = s[i] == '-';
            i++;
        }
        String rest = new String(s, i, s.length - i, StandardCharsets.ISO_8859_1).toLowerCase(java.util.Locale.ROOT);
        if (rest.startsWith("inf")) {
            int n = rest.startsWith("infinity") ? 8 : 3;
            return new Strtod(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, i + n, true, false);
        }
        if (rest.startsWith("nan")) {
            return new Strtod(Double.NaN, i + 3, false, false);
        }
        if (rest.startsWith("0x") && rest.length() > 2 && (hex(rest.charAt(2)) || rest.charAt(2) == '.' && rest.length() > 3 && hex(rest.charAt(3)))) {
            int j = 2;
            boolean nonZero = false;
            while (j < rest.length() && hex(rest.charAt(j))) {
                nonZero |= rest.charAt(j) != '0';
                j++;
            }
            if (j < rest.length() && rest.charAt(j) == '.') {
                j++;
                while (j < rest.length() && hex(rest.charAt(j))) {
                    nonZero |= rest.charAt(j) != '0';
                    j++;
                }
            }
            String mantissa = rest.substring(0, j);
            String exponent = "p0";
            if (j < rest.length() && rest.charAt(j) == 'p') {
                int k = j + 1;
                if (k < rest.length() && (rest.charAt(k) == '+' || rest.charAt(k) == '-')) {
                    k++;
                }
                int digits = k;
                while (k < rest.length() && Character.isDigit(rest.charAt(k))) {
                    k++;
                }
                if (k > digits) {
                    exponent = rest.substring(j, k);
                    j = k;
                }
            }
            double v;
            try {
                v = Double.parseDouble((mantissa.endsWith(".") ? mantissa + "0" : mantissa) + exponent);
            } catch (NumberFormatException e) {
                return null;
            }
            return new Strtod(negative ? -v : v, i + j, false, nonZero);
        }
        int j = 0;
        boolean digits = false;
        boolean nonZero = false;
        while (j < rest.length() && Character.isDigit(rest.charAt(j))) {
            nonZero |= rest.charAt(j) != '0';
            digits = true;
            j++;
        }
        if (j < rest.length() && rest.charAt(j) == '.') {
            j++;
            while (j < rest.length() && Character.isDigit(rest.charAt(j))) {
                nonZero |= rest.charAt(j) != '0';
                digits = true;
                j++;
            }
        }
        if (!digits) {
            return null;
        }
        if (j < rest.length() && rest.charAt(j) == 'e') {
            int k = j + 1;
            if (k < rest.length() && (rest.charAt(k) == '+' || rest.charAt(k) == '-')) {
                k++;
            }
            int expDigits = k;
            while (k < rest.length() && Character.isDigit(rest.charAt(k))) {
                k++;
            }
            if (k > expDigits) {
                j = k;
            }
        }
        String text = rest.substring(0, j);
        if (text.startsWith(".")) {
            text = "0" + text;
        }
        double v;
        try {
            v = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return null;
        }
        return new Strtod(negative ? -v : v, i + j, false, nonZero);
    }

    private static boolean hex(char c) {
        return Character.digit(c, 16) >= 0;
    }

    /** One bound of ZRANGEBYSCORE & co (zslParseRange): {@code (} for exclusive, then strtod to the end, not NaN. */
    private static double rangeBound(byte[] arg, boolean[] exclusive, int which) {
        int from = 0;
        if (arg.length > 0 && arg[0] == '(') {
            exclusive[which] = true;
            from = 1;
        }
        if (from == arg.length) {
            return 0; // strtod of "" consumes nothing and stops at the terminating NUL, which Redis accepts
        }
        Strtod r = strtod(arg, from);
        if (r == null || r.end != arg.length || Double.isNaN(r.value)) {
            throw new CommandError(NOT_FLOAT_RANGE);
        }
        return r.value;
    }

    static ScoreRange scoreRange(byte[] min, byte[] max) {
        boolean[] ex = new boolean[2];
        double lo = rangeBound(min, ex, 0);
        double hi = rangeBound(max, ex, 1);
        return new ScoreRange(lo, ex[0], hi, ex[1]);
    }

    private static LexBound lexBound(byte[] arg) {
        if (arg.length == 0) {
            throw new CommandError(NOT_LEX_RANGE);
        }
        switch (arg[0]) {
            case '+':
                if (arg.length != 1) {
                    throw new CommandError(NOT_LEX_RANGE);
                }
                return LexBound.PLUS;
            case '-':
                if (arg.length != 1) {
                    throw new CommandError(NOT_LEX_RANGE);
                }
                return LexBound.MINUS;
            case '(':
                return new LexBound(Arrays.copyOfRange(arg, 1, arg.length), true, false);
            case '[':
                return new LexBound(Arrays.copyOfRange(arg, 1, arg.length), false, false);
            default:
                throw new CommandError(NOT_LEX_RANGE);
        }
    }

    static LexRange lexRange(byte[] min, byte[] max) {
        return new LexRange(lexBound(min), lexBound(max));
    }

    // ---------------------------------------------------------------- helpers

    /** The live zset at key, null if absent; WRONGTYPE if it holds another type. */
    private Metadata zset(int db, byte[] key) {
        Metadata m = ks.read(db, key);
        if (m != null && m.type() != ValueType.ZSET) {
            throw new CommandError(Errors.WRONGTYPE);
        }
        return m;
    }

    private static Reply score(double s) {
        return new Reply.DoubleReply(s);
    }

    /** Members, with scores as RESP3 pairs or a flat RESP2 list. */
    private static Reply members(List<Member> ms, boolean withScores, int protocol) {
        List<Reply> out = new ArrayList<>(withScores && protocol == 2 ? ms.size() * 2 : ms.size());
        for (Member m : ms) {
            if (!withScores) {
                out.add(Reply.bulk(m.member()));
            } else if (protocol > 2) {
                out.add(Reply.array(List.of(Reply.bulk(m.member()), score(m.score()))));
            } else {
                out.add(Reply.bulk(m.member()));
                out.add(score(m.score()));
            }
        }
        return Reply.array(out);
    }

    private void emptied(int db, byte[] key, Metadata after) {
        if (after == null) {
            notifier.notify(Notifier.GENERIC, "del", db, key);
        }
    }

    // ---------------------------------------------------------------- ZADD ZINCRBY

    private Reply zadd(ClientSession s, byte[][] a, boolean zincrby) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        boolean ch = false;
        boolean incr = zincrby;
        int i = 2;
        for (; i < a.length; i++) {
            if (Args.is(a[i], "nx")) {
                nx = true;
            } else if (Args.is(a[i], "xx")) {
                xx = true;
            } else if (Args.is(a[i], "ch")) {
                ch = true;
            } else if (Args.is(a[i], "incr")) {
                incr = true;
            } else if (Args.is(a[i], "gt")) {
                gt = true;
            } else if (Args.is(a[i], "lt")) {
                lt = true;
            } else {
                break;
            }
        }
        int elements = a.length - i;
        if (elements == 0 || elements % 2 != 0) {
            return Reply.error(Errors.SYNTAX);
        }
        elements /= 2;
        if (nx && xx) {
            return Reply.error("ERR XX and NX options at the same time are not compatible");
        }
        if ((gt && nx) || (lt && nx) || (gt && lt)) {
            return Reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
        }
        if (incr && elements > 1) {
            return Reply.error("ERR INCR option supports a single increment-element pair");
        }
        double[] scores = new double[elements];
        long maxLength = 0;
        for (int j = 0; j < elements; j++) {
            scores[j] = score(a[i + 2 * j], Errors.NOT_FLOAT);
            maxLength = Math.max(maxLength, a[i + 2 * j + 1].length);
        }
        int db = s.db();
        byte[] key = a[1];
        int added = 0;
        int updated = 0;
        int processed = 0;
        double last = 0;
        try (KeyLocks.Held ignored = ks.lock(db, key)) {
            Metadata m = zset(db, key);
            if (m == null && xx) {
                return incr ? Reply.NULL : Reply.ZERO;
            }
            ZSetStore.Edit edit = store.edit(db, key, m);
            edit.sizeHint(elements);
            for (int j = 0; j < elements; j++) {
                byte[] member = a[i + 2 * j + 1];
                double score = scores[j];
                Double current = edit.score(member);
                if (current != null) {
                    if (nx) {
                        continue;
                    }
                    if (incr) {
                        score += current;
                        if (Double.isNaN(score)) {
                            return Reply.error(NAN_RESULT);
                        }
                    }
                    if ((lt && score >= current) || (gt && score <= current)) {
                        continue;
                    }
                    processed++;
                    last = score;
                    if (score != current) {
                        edit.put(member, score);
                        updated++;
                    } else if (ks.replicating()) {
                        // add-wins: a fresh dot, so a concurrent ZREM on another replica does not remove the member
                        edit.put(member, current);
                    }
                } else if (!xx) {
                    edit.put(member, score);
                    added++;
                    processed++;
                    last = score;
                }
            }
            edit.commit();
        }
        if (added + updated > 0) {
            notifier.notify(Notifier.ZSET, incr ? "zincr" : "zadd", db, key);
        }
        if (incr) {
            return processed > 0 ? score(last) : Reply.NULL;
        }
        return Reply.integer(ch ? added + updated : added);
    }

    // ---------------------------------------------------------------- ZREM, point reads

    private Reply zrem(ClientSession s, byte[][] a) {
        int db = s.db();
        int removed = 0;
        boolean gone;
        try (KeyLocks.Held ignored = ks.lock(db, a[1])) {
            Metadata m = zset(db, a[1]);
            if (m == null) {
                return Reply.ZERO;
            }
            ZSetStore.Edit edit = store.edit(db, a[1], m);
            for (int i = 2; i < a.length; i++) {
                if (edit.remove(a[i])) {
                    removed++;
                }
            }
            edit.commit();
            gone = removed > 0 && removed == m.size();
        }
        if (removed > 0) {
            notifier.notify(Notifier.ZSET, "zrem", db, a[1]);
            if (gone) {
                notifier.notify(Notifier.GENERIC, "del", db, a[1]);
            }
        }
        return Reply.integer(removed);
    }

    private Reply zscore(ClientSession s, byte[][] a) {
        Metadata m = zset(s.db(), a[1]);
        Double v = m == null ? null : store.score(s.db(), a[1], m, a[2]);
        return v == null ? Reply.NULL : score(v);
    }

    private Reply zmscore(ClientSession s, byte[][] a) {
        Metadata m = zset(s.db(), a[1]);
        List<Reply> out = new ArrayList<>(a.length - 2);
        for (int i = 2; i < a.length; i++) {
            Double v = m == null ? null : store.score(s.db(), a[1], m, a[i]);
            out.add(v == null ? Reply.NULL : score(v));
        }
        return Reply.array(out);
    }

    private Reply zcard(ClientSession s, byte[][] a) {
        Metadata m = zset(s.db(), a[1]);
        return Reply.integer(m == null ? 0 : m.size());
    }

    private Reply zcount(ClientSession s, byte[][] a) {
        ScoreRange range = scoreRange(a[2], a[3]);
        Metadata m = zset(s.db(), a[1]);
        return Reply.integer(m == null ? 0 : store.count(s.db(), a[1], m, range));
    }

    private Reply zlexcount(ClientSession s, byte[][] a) {
        LexRange range = lexRange(a[2], a[3]);
        Metadata m = zset(s.db(), a[1]);
        return Reply.integer(m == null ? 0 : store.lexCount(s.db(), a[1], m, range));
    }

    private Reply zrank(ClientSession s, byte[][] a, boolean rev) {
        if (a.length > 4) {
            return Dispatcher.wrongArity(rev ? "zrevrank" : "zrank");
        }
        boolean withScore = false;
        if (a.length == 4) {
            if (!Args.is(a[3], "withscore")) {
                return Reply.error(Errors.SYNTAX);
            }
            withScore = true;
        }
        Reply missing = withScore ? Reply.NULL_ARRAY : Reply.NULL;
        Metadata m = zset(s.db(), a[1]);
        if (m == null) {
            return missing;
        }
        long[] r = store.rank(s.db(), a[1], m, a[2], rev);
        if (r == null) {
            return missing;
        }
        if (!withScore) {
            return Reply.integer(r[0]);
        }
        return Reply.array(List.of(Reply.integer(r[0]), score(Double.longBitsToDouble(r[1]))));
    }

    // ---------------------------------------------------------------- ZRANGE family

    private enum Kind { AUTO, RANK, SCORE, LEX }

    /**
     * ZRANGE, ZRANGESTORE and the older forms (Redis's zrangeGenericCommand): the older forms fix the
     * range kind and direction, which then may not be given as options.
     */
    private Reply zrange(ClientSession s, byte[][] a, Kind kind, boolean rev, boolean storeResult) {
        int base = storeResult ? 2 : 1;
        byte[] src = a[base];
        boolean withScores = false;
        long offset = 0;
        long limit = -1;
        boolean directionFixed = rev || kind != Kind.AUTO;
        for (int j = base + 3; j < a.length; j++) {
            int left = a.length - j - 1;
            if (!storeResult && Args.is(a[j], "withscores")) {
                withScores = true;
            } else if (Args.is(a[j], "limit") && left >= 2) {
                offset = Args.integer(a[j + 1]);
                limit = Args.integer(a[j + 2]);
                j += 2;
            } else if (!directionFixed && !rev && Args.is(a[j], "rev")) {
                rev = true;
            } else if (kind == Kind.AUTO && Args.is(a[j], "bylex")) {
                kind = Kind.LEX;
            } else if (kind == Kind.AUTO && Args.is(a[j], "byscore")) {
                kind = Kind.SCORE;
            } else {
                return Reply.error(Errors.SYNTAX);
            }
        }
        if (kind == Kind.AUTO) {
            kind = Kind.RANK;
        }
        if (limit != -1 && kind == Kind.RANK) {
            return Reply.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
        }
        if (withScores && kind == Kind.LEX) {
            return Reply.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        }
        byte[] minArg = a[base + 1];
        byte[] maxArg = a[base + 2];
        if (rev && kind != Kind.RANK) {
            byte[] t = minArg;
            minArg = maxArg;
            maxArg = t;
        }
        long start = 0;
        long stop = 0;
        ScoreRange scores = null;
        LexRange lex = null;
        switch (kind) {
            case SCORE -> scores = scoreRange(minArg, maxArg);
            case LEX -> lex = lexRange(minArg, maxArg);
            default -> {
                start = Args.integer(minArg);
                stop = Args.integer(maxArg);
            }
        }
        int db = s.db();
        if (!storeResult) {
            Metadata m = zset(db, src);
            if (m == null) {
                return Reply.EMPTY_ARRAY;
            }
            return members(select(db, src, m, kind, rev, start, stop, scores, lex, offset, limit), withScores, s.protocol());
        }
        byte[] dst = a[1];
        int stored;
        try (KeyLocks.Held ignored = ks.lock(db, dst, src)) {
            Metadata m = zset(db, src);
            List<Member> result = m == null ? List.of() : select(db, src, m, kind, rev, start, stop, scores, lex, offset, limit);
            Metadata old = ks.read(db, dst);
            if (result.isEmpty() && old == null) {
                return Reply.ZERO;
            }
            try (Keyspace.Changes changes = ks.changes()) {
                store.replace(changes, db, dst, old, result);
                changes.commit();
            }
            stored = result.size();
        }
        notifier.notify(stored > 0 ? Notifier.ZSET : Notifier.GENERIC, stored > 0 ? "zrangestore" : "del", db, dst);
        return Reply.integer(stored);
    }

    private List<Member> select(int db, byte[] key, Metadata m, Kind kind, boolean rev, long start, long stop,
            ScoreRange scores, LexRange lex, long offset, long limit) {
        switch (kind) {
            case SCORE:
                return store.byScore(db, key, m, scores, rev, offset, limit);
            case LEX:
                return store.byLex(db, key, m, lex, rev, offset, limit);
            default:
                long[] r = clip(start, stop, m.size());
                return r == null ? List.of() : store.byRank(db, key, m, r[0], r[1], rev);
        }
    }

    /** Redis's rank sanitising: negative from the end, clipped; null when empty. */
    private static long[] clip(long start, long stop, long size) {
        if (start < 0) {
            start = size + start;
        }
        if (stop < 0) {
            stop = size + stop;
        }
        if (start < 0) {
            start = 0;
        }
        if (start > stop || start >= size) {
            return null;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        return new long[] {start, stop};
    }

    // ---------------------------------------------------------------- removals

    private Reply zremrange(ClientSession s, byte[][] a, Kind kind) {
        long start = 0;
        long stop = 0;
        ScoreRange scores = null;
        LexRange lex = null;
        switch (kind) {
            case SCORE -> scores = scoreRange(a[2], a[3]);
            case LEX -> lex = lexRange(a[2], a[3]);
            default -> {
                start = Args.integer(a[2]);
                stop = Args.integer(a[3]);
            }
        }
        int db = s.db();
        byte[] key = a[1];
        int removed;
        boolean gone;
        try (KeyLocks.Held ignored = ks.lock(db, key)) {
            Metadata m = zset(db, key);
            if (m == null) {
                return Reply.ZERO;
            }
            List<Member> victims = select(db, key, m, kind, false, start, stop, scores, lex, 0, -1);
            if (victims.isEmpty()) {
                return Reply.ZERO;
            }
            ZSetStore.Edit edit = store.edit(db, key, m);
            for (Member v : victims) {
                edit.remove(v.member());
            }
            edit.commit();
            removed = victims.size();
            gone = removed == m.size();
        }
        String event = switch (kind) {
            case SCORE -> "zremrangebyscore";
            case LEX -> "zremrangebylex";
            default -> "zremrangebyrank";
        };
        notifier.notify(Notifier.ZSET, event, db, key);
        if (gone) {
            notifier.notify(Notifier.GENERIC, "del", db, key);
        }
        return Reply.integer(removed);
    }

    private Reply zpop(ClientSession s, byte[][] a, boolean max) {
        if (a.length > 3) {
            return Reply.error(Errors.SYNTAX);
        }
        long count = -1;
        if (a.length == 3) {
            Long c = Numbers.parseLong(a[2]);
            count = c == null ? -1 : c;
            if (count < 0) {
                return Reply.error("ERR value is out of range, must be positive");
            }
            if (count == 0) {
                return Reply.EMPTY_ARRAY;
            }
        }
        boolean nested = s.protocol() > 2 && count != -1;
        List<Member> popped = pop(s.db(), a[1], max, count == -1 ? 1 : count);
        if (popped == null) {
            return Reply.EMPTY_ARRAY;
        }
        return members(popped, true, nested ? 3 : 2);
    }

    /** Pops up to {@code count} members of the lowest (highest) scores; null if the key is absent. WRONGTYPE if not a zset. */
    List<Member> pop(int db, byte[] key, boolean max, long count) {
        List<Member> popped;
        boolean gone;
        try (KeyLocks.Held ignored = ks.lock(db, key)) {
            Metadata m = zset(db, key);
            if (m == null) {
                return null;
            }
            popped = max ? store.byRank(db, key, m, 0, Math.min(count, m.size()) - 1, true)
                    : store.byRank(db, key, m, 0, Math.min(count, m.size()) - 1, false);
            ZSetStore.Edit edit = store.edit(db, key, m);
            for (Member v : popped) {
                edit.remove(v.member());
            }
            edit.commit();
            gone = popped.size() == m.size();
        }
        notifier.notify(Notifier.ZSET, max ? "zpopmax" : "zpopmin", db, key);
        if (gone) {
            notifier.notify(Notifier.GENERIC, "del", db, key);
        }
        return popped;
    }

    private Reply zmpop(ClientSession s, byte[][] a) {
        MultiPop p = parseMultiPop(a, 1);
        Reply r = multiPop(s.db(), p, false);
        return r == null ? Reply.NULL_ARRAY : r;
    }

    /** ZMPOP / BZMPOP arguments from {@code numkeys} at {@code at}. */
    private record MultiPop(List<byte[]> keys, boolean max, long count) {}

    private static MultiPop parseMultiPop(byte[][] a, int at) {
        long numkeys = numkeys(a[at], "ERR numkeys should be greater than 0");
        int where = (int) Math.min(Integer.MAX_VALUE, at + numkeys + 1);
        if (numkeys > a.length || where >= a.length) {
            throw new CommandError(Errors.SYNTAX);
        }
        boolean max;
        if (Args.is(a[where], "min")) {
            max = false;
        } else if (Args.is(a[where], "max")) {
            max = true;
        } else {
            throw new CommandError(Errors.SYNTAX);
        }
        long count = -1;
        for (int j = where + 1; j < a.length; j++) {
            if (count == -1 && Args.is(a[j], "count") && j + 1 < a.length) {
                count = numkeys(a[j + 1], "ERR count should be greater than 0");
                j++;
            } else {
                throw new CommandError(Errors.SYNTAX);
            }
        }
        List<byte[]> keys = new ArrayList<>();
        for (int k = at + 1; k < where; k++) {
            keys.add(a[k].clone());
        }
        return new MultiPop(keys, max, count == -1 ? 1 : count);
    }

    /**
     * [key, [[member, score]...]] from the first non-empty key, or null if every key is empty.
     * {@code blocked}: a retry of a parked client, where a key of another type is skipped (Redis
     * keeps the client blocked); on the first attempt it is a WRONGTYPE error.
     */
    private Reply multiPop(int db, MultiPop p, boolean blocked) {
        for (byte[] key : p.keys()) {
            List<Member> popped = popOrSkip(db, key, p.max(), p.count(), blocked);
            if (popped != null) {
                return Reply.array(List.of(Reply.bulk(key), members(popped, true, 3)));
            }
        }
        return null;
    }

    private List<Member> popOrSkip(int db, byte[] key, boolean max, long count, boolean blocked) {
        try {
            return pop(db, key, max, count);
        } catch (CommandError e) {
            if (blocked) {
                return null;
            }
            throw e;
        }
    }

    private Reply bzmpop(ClientSession s, byte[][] a) {
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

    private Reply bzpop(ClientSession s, byte[][] a, boolean max) {
        return BlockRequest.popOrBlock(s, a, (db, keys, blocked) -> singlePop(db, keys, max, blocked));
    }

    /** BZPOPMIN/BZPOPMAX's flat [key, member, score] from the first non-empty key, or null. */
    private Reply singlePop(int db, List<byte[]> keys, boolean max, boolean blocked) {
        for (byte[] key : keys) {
            List<Member> popped = popOrSkip(db, key, max, 1, blocked);
            if (popped != null && !popped.isEmpty()) {
                Member m = popped.get(0);
                return Reply.array(List.of(Reply.bulk(key), Reply.bulk(m.member()), score(m.score())));
            }
        }
        return null;
    }

    /** A count in 1..LONG_MAX (getRangeLongFromObjectOrReply with a message: the message for any failure). */
    private static long numkeys(byte[] arg, String error) {
        Long v = Numbers.parseLong(arg);
        if (v == null || v < 1) {
            throw new CommandError(error);
        }
        return v;
    }

    // ---------------------------------------------------------------- set algebra

    private enum Op { UNION, INTER, DIFF }

    private enum Aggregate { SUM, MIN, MAX }

    /** One input of a set-algebra command: its members with scores (a plain set's members score 1). */
    private record Source(Map<java.nio.ByteBuffer, Double> scores, List<Member> ordered, double weight) {}

    private Reply algebra(ClientSession s, byte[][] a, Op op, boolean storeResult, boolean cardinalityOnly) {
        int numkeysAt = storeResult ? 2 : 1;
        String name = Args.lower(a[0]);
        long setnum = Args.integer(a[numkeysAt]);
        if (setnum < 1) {
            return Reply.error("ERR at least 1 input key is needed for '" + name + "' command");
        }
        if (setnum > a.length - (numkeysAt + 1)) {
            return Reply.error(Errors.SYNTAX);
        }
        int n = (int) setnum;
        int db = s.db();
        byte[][] keys = new byte[n + (storeResult ? 1 : 0)][];
        for (int i = 0; i < n; i++) {
            keys[i] = a[numkeysAt + 1 + i];
        }
        if (storeResult) {
            keys[n] = a[1];
        }
        List<Member> result;
        long cardinality = 0;
        int stored = 0;
        try (KeyLocks.Held ignored = ks.lock(db, keys)) {
            Metadata[] metas = new Metadata[n];
            for (int i = 0; i < n; i++) {
                Metadata m = ks.read(db, keys[i]);
                if (m != null && m.type() != ValueType.ZSET && m.type() != ValueType.SET) {
                    return Reply.error(Errors.WRONGTYPE);
                }
                metas[i] = m;
            }
            double[] weights = new double[n];
            Arrays.fill(weights, 1.0);
            Aggregate aggregate = Aggregate.SUM;
            boolean withScores = false;
            long limit = 0;
            int j = numkeysAt + 1 + n;
            while (j < a.length) {
                int remaining = a.length - j;
                if (op != Op.DIFF && !cardinalityOnly && remaining >= n + 1 && Args.is(a[j], "weights")) {
                    j++;
                    for (int i = 0; i < n; i++, j++) {
                        weights[i] = score(a[j], "ERR weight value is not a float");
                    }
                } else if (op != Op.DIFF && !cardinalityOnly && remaining >= 2 && Args.is(a[j], "aggregate")) {
                    if (Args.is(a[j + 1], "sum")) {
                        aggregate = Aggregate.SUM;
                    } else if (Args.is(a[j + 1], "min")) {
                        aggregate = Aggregate.MIN;
                    } else if (Args.is(a[j + 1], "max")) {
                        aggregate = Aggregate.MAX;
                    } else {
                        return Reply.error(Errors.SYNTAX);
                    }
                    j += 2;
                } else if (!storeResult && !cardinalityOnly && Args.is(a[j], "withscores")) {
                    withScores = true;
                    j++;
                } else if (cardinalityOnly && remaining >= 2 && Args.is(a[j], "limit")) {
                    Long l = Numbers.parseLong(a[j + 1]);
                    if (l == null || l < 0) {
                        return Reply.error("ERR LIMIT can't be negative");
                    }
                    limit = l;
                    j += 2;
                } else {
                    return Reply.error(Errors.SYNTAX);
                }
            }
            List<Source> sources = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                sources.add(source(db, keys[i], metas[i], weights[i]));
            }
            if (cardinalityOnly) {
                cardinality = intersect(sources, aggregate, limit, null);
                return Reply.integer(cardinality);
            }
            result = switch (op) {
                case UNION -> union(sources, aggregate);
                case INTER -> {
                    List<Member> out = new ArrayList<>();
                    intersect(sources, aggregate, 0, out);
                    yield out;
                }
                default -> diff(sources);
            };
            result.sort(ORDER);
            if (!storeResult) {
                return members(result, withScores, s.protocol());
            }
            Metadata old = ks.read(db, a[1]);
            if (!result.isEmpty() || old != null) {
                try (Keyspace.Changes changes = ks.changes()) {
                    store.replace(changes, db, a[1], old, result);
                    changes.commit();
                }
            }
            stored = result.size();
            if (result.isEmpty() && old == null) {
                return Reply.ZERO;
            }
        }
        if (stored > 0) {
            notifier.notify(Notifier.ZSET, name, db, a[1]);
        } else {
            notifier.notify(Notifier.GENERIC, "del", db, a[1]);
        }
        return Reply.integer(stored);
    }

    /** Redis's order of a sorted set: by score, then by member bytes. */
    static final Comparator<Member> ORDER = (x, y) -> {
        int c = Double.compare(x.score() == 0 ? 0.0 : x.score(), y.score() == 0 ? 0.0 : y.score());
        return c != 0 ? c : Arrays.compareUnsigned(x.member(), y.member());
    };

    private Source source(int db, byte[] key, Metadata m, double weight) {
        Map<java.nio.ByteBuffer, Double> scores = new HashMap<>();
        List<Member> ordered;
        if (m == null) {
            ordered = List.of();
        } else if (m.type() == ValueType.ZSET) {
            ordered = store.all(db, key, m);
        } else {
            // a plain set: every member scores 1 (Redis accepts sets as inputs of the zset algebra)
            ordered = new ArrayList<>();
            byte[] p = KeyCodec.subPrefix(db, key, m.version());
            try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, p, KeyCodec.prefixEnd(p))) {
                for (c.seekToFirst(); c.valid(); c.next()) {
                    ordered.add(new Member(Arrays.copyOfRange(c.key(), p.length, c.key().length), 1.0));
                }
            }
        }
        for (Member x : ordered) {
            scores.put(java.nio.ByteBuffer.wrap(x.member()), x.score());
        }
        return new Source(scores, ordered, weight);
    }

    private static double aggregate(double target, double value, Aggregate how) {
        switch (how) {
            case SUM:
                double r = target + value;
                // inf + -inf: Redis keeps the convention that the sum is 0
                return Double.isNaN(r) ? 0.0 : r;
            case MIN:
                return value < target ? value : target;
            default:
                return value > target ? value : target;
        }
    }

    private static double weighted(double weight, double score) {
        double v = weight * score;
        return Double.isNaN(v) ? 0.0 : v;
    }

    private static List<Member> union(List<Source> sources, Aggregate how) {
        List<Source> bySize = new ArrayList<>(sources);
        bySize.sort(Comparator.comparingInt(x -> x.ordered().size()));
        Map<java.nio.ByteBuffer, Double> acc = new LinkedHashMap<>();
        for (Source src : bySize) {
            for (Member x : src.ordered()) {
                double v = weighted(src.weight(), x.score());
                java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(x.member());
                Double prev = acc.get(k);
                acc.put(k, prev == null ? v : aggregate(prev, v, how));
            }
        }
        List<Member> out = new ArrayList<>(acc.size());
        for (Map.Entry<java.nio.ByteBuffer, Double> e : acc.entrySet()) {
            out.add(new Member(e.getKey().array(), e.getValue()));
        }
        return out;
    }

    /** The intersection (into {@code out} when not null); returns its size, stopping at {@code limit} (0: none). */
    private static long intersect(List<Source> sources, Aggregate how, long limit, List<Member> out) {
        List<Source> bySize = new ArrayList<>(sources);
        bySize.sort(Comparator.comparingInt(x -> x.ordered().size()));
        Source first = bySize.get(0);
        long n = 0;
        for (Member x : first.ordered()) {
            double score = weighted(first.weight(), x.score());
            java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(x.member());
            boolean everywhere = true;
            for (int j = 1; j < bySize.size(); j++) {
                Double v = bySize.get(j).scores().get(k);
                if (v == null) {
                    everywhere = false;
                    break;
                }
                score = aggregate(score, v * bySize.get(j).weight(), how);
            }
            if (everywhere) {
                n++;
                if (out != null) {
                    out.add(new Member(x.member(), score));
                } else if (limit > 0 && n >= limit) {
                    break;
                }
            }
        }
        return n;
    }

    private static List<Member> diff(List<Source> sources) {
        List<Member> out = new ArrayList<>();
        outer:
        for (Member x : sources.get(0).ordered()) {
            java.nio.ByteBuffer k = java.nio.ByteBuffer.wrap(x.member());
            for (int j = 1; j < sources.size(); j++) {
                if (sources.get(j).scores().containsKey(k)) {
                    continue outer;
                }
            }
            out.add(x);
        }
        return out;
    }

    // ---------------------------------------------------------------- ZSCAN ZRANDMEMBER

    private Reply zscan(ClientSession s, byte[][] a) {
        long cursor = parseCursor(a[2]);
        Metadata m = zset(s.db(), a[1]);
        if (m == null) {
            return Reply.array(List.of(Reply.bulk("0"), Reply.EMPTY_ARRAY));
        }
        long count = 10;
        Glob match = null;
        for (int j = 3; j < a.length; j++) {
            boolean hasArg = j + 1 < a.length;
            if (Args.is(a[j], "count") && hasArg) {
                count = Args.integer(a[++j]);
                if (count < 1) {
                    return Reply.error(Errors.SYNTAX);
                }
            } else if (Args.is(a[j], "match") && hasArg) {
                match = new Glob(a[++j], false);
            } else {
                return Reply.error(Errors.SYNTAX);
            }
        }
        byte[] after = null;
        if (cursor != 0) {
            synchronized (cursors) {
                after = cursors.remove(cursor);
            }
        }
        // a listpack-encoded set is returned whole in one call, as Redis does
        int pageSize = m.encoding() == io.hyperkv.store.Encoding.LISTPACK ? Integer.MAX_VALUE : (int) Math.min(count, 100_000);
        // (in listpack order, which is score order)
        List<Member> page = pageSize == Integer.MAX_VALUE ? store.all(s.db(), a[1], m) : store.page(s.db(), a[1], m, after, pageSize);
        long next = 0;
        if (pageSize != Integer.MAX_VALUE && page.size() == pageSize) {
            next = cursorIds.incrementAndGet();
            synchronized (cursors) {
                cursors.put(next, page.get(page.size() - 1).member());
            }
        }
        List<Reply> items = new ArrayList<>(page.size() * 2);
        boolean all = match == null || match.matchesAll();
        for (Member x : page) {
            if (all || match.matches(x.member())) {
                items.add(Reply.bulk(x.member()));
                items.add(Reply.bulk(io.hyperkv.resp.RedisDouble.format(x.score())));
            }
        }
        return Reply.array(List.of(Reply.bulk(Long.toUnsignedString(next)), Reply.array(items)));
    }

    /** Redis parses the cursor with strtoul: optional sign (a negative one wraps), digits, no overflow. */
    private static long parseCursor(byte[] arg) {
        int from = arg.length > 0 && (arg[0] == '-' || arg[0] == '+') ? 1 : 0;
        if (arg.length == from || arg.length - from > 20) {
            throw new CommandError(Errors.INVALID_CURSOR);
        }
        for (int i = from; i < arg.length; i++) {
            if (arg[i] < '0' || arg[i] > '9') {
                throw new CommandError(Errors.INVALID_CURSOR);
            }
        }
        try {
            long v = Long.parseUnsignedLong(new String(arg, from, arg.length - from, StandardCharsets.US_ASCII));
            return arg[0] == '-' ? -v : v;
        } catch (NumberFormatException e) {
            throw new CommandError(Errors.INVALID_CURSOR);
        }
    }

    private Reply zrandmember(ClientSession s, byte[][] a) {
        int db = s.db();
        if (a.length == 2) {
            Metadata m = zset(db, a[1]);
            if (m == null) {
                return Reply.NULL;
            }
            Member x = pickOne(db, a[1], m);
            return x == null ? Reply.NULL : Reply.bulk(x.member());
        }
        long count = Args.integer(a[2]);
        if (count == Long.MIN_VALUE) {
            return Reply.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807");
        }
        boolean withScores = false;
        if (a.length > 4 || (a.length == 4 && !Args.is(a[3], "withscores"))) {
            return Reply.error(Errors.SYNTAX);
        } else if (a.length == 4) {
            withScores = true;
            if (count < -Long.MAX_VALUE / 2 || count > Long.MAX_VALUE / 2) {
                return Reply.error("ERR value is out of range");
            }
        }
        Metadata m = zset(db, a[1]);
        if (m == null || count == 0) {
            return Reply.EMPTY_ARRAY;
        }
        long size = m.size();
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        List<Member> out = new ArrayList<>();
        if (count < 0 || count == 1) {
            long n = Math.abs(count);
            List<Member> all = size <= SMALL ? store.all(db, a[1], m) : null;
            for (long i = 0; i < n; i++) {
                out.add(all != null ? all.get(rnd.nextInt(all.size())) : pickOne(db, a[1], m));
            }
        } else if (count >= size) {
            out = store.all(db, a[1], m);
        } else if (size <= SMALL || count * 4 > size) {
            List<Member> all = new ArrayList<>(store.all(db, a[1], m));
            Collections.shuffle(all, rnd);
            out = all.subList(0, (int) count);
        } else {
            // distinct picks by random seeks; members after wide gaps are favoured (documented)
            TreeMap<java.nio.ByteBuffer, Member> picked = new TreeMap<>();
            for (long tries = 0; picked.size() < count && tries < count * 20; tries++) {
                Member x = pickOne(db, a[1], m);
                picked.putIfAbsent(java.nio.ByteBuffer.wrap(x.member()), x);
            }
            if (picked.size() < count) {
                for (Member x : store.page(db, a[1], m, null, (int) Math.min(Integer.MAX_VALUE, count * 2))) {
                    if (picked.size() >= count) {
                        break;
                    }
                    picked.putIfAbsent(java.nio.ByteBuffer.wrap(x.member()), x);
                }
            }
            out = new ArrayList<>(picked.values());
            Collections.shuffle(out, rnd);
        }
        return members(out, withScores, s.protocol());
    }

    private Member pickOne(int db, byte[] key, Metadata m) {
        if (m.size() <= SMALL) {
            long r = ThreadLocalRandom.current().nextLong(m.size());
            List<Member> one = store.byRank(db, key, m, r, r, false);
            if (!one.isEmpty()) {
                return one.get(0);
            }
        }
        return store.random(db, key, m);
    }
}
