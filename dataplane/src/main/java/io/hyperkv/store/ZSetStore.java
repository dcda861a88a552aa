package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.CodecException;
import io.hyperkv.crdt.Contribution;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.DotMap;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.OrMap;
import io.hyperkv.crdt.RegisterValue;
import io.hyperkv.crdt.Stamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Sorted sets on per-element CRDT rows: an {@link OrMap} from member to score register, stored as
 * <ul>
 * <li>{@code sub}: {@code P | member} → {@code score f64 (raw bits, big-endian) | ElementCodec field};
 *     the score prefix is the resolved register value (the LWW winner of the member's assignments),
 *     so reads never decode contributions;</li>
 * <li>{@code zscore}: {@code P | sortable(score) | member} → empty, or one byte {@code 1} when the
 *     score is -0.0 (the index key normalises -0.0 to 0.0, as Redis orders them as equal, and the
 *     marker lets index-only reads print "-0" as Redis's skiplist does);</li>
 * <li>META: type zset, encoding listpack or skiplist (Redis 7.2's rules, see {@link Edit#commit}),
 *     {@code size} = members, {@code context} = the OrMap's causal context.</li>
 * </ul>
 * {@code P = KeyCodec.subPrefix(db, key, version)}; {@code sortable(s)} is the raw bits of
 * {@code s} with the sign bit flipped for positives and every bit flipped for negatives, so
 * unsigned byte order is numeric order and within one score members sort by their bytes, which is
 * exactly Redis's (score, member) order.
 *
 * <p>Invariant (checked by the property test): the {@code zscore} entries of a key are exactly
 * {@code {(sortable(score), member)}} of its {@code sub} rows, and every {@code sub} row's score is
 * its register's resolved value. Every local change goes through one path, {@link #apply} (an
 * {@link Edit}); deltas from other replicas are merged by the {@link RowReplica} this store registers,
 * which keeps the index by the same rule. A sorted set emptied by a write loses its META, or leaves a
 * tombstone with its context while replicating, which a new sorted set of the key continues.
 *
 * <p>Scores: ZADD assigns; ZINCRBY and ZADD INCR compute the new double like Redis and assign it
 * (an LWW assignment, not a counter: a double counter would re-associate sums). No increment
 * contributions are ever written; a merged state that held some would still resolve.
 *
 * <p>Ranks: there is no order-statistic tree, so rank operations (ZRANK, ZRANGE by index,
 * ZREMRANGEBYRANK) walk the score index from the nearer end: O(log n + min(rank, n - rank)).
 *
 * <p>Concurrency: callers hold {@link Keyspace#lock} of the key (all keys for multi-key commands)
 * around read-compute-write; reads alone use RocksDB iterators, consistent per call.
 */
public final class ZSetStore {

    /** One member with its score. */
    public record Member(byte[] member, double score) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Member m && Arrays.equals(member, m.member)
                    && Double.doubleToLongBits(score) == Double.doubleToLongBits(m.score);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(member) * 31 + Double.hashCode(score);
        }

        @Override
        public String toString() {
            return new String(member, java.nio.charset.StandardCharsets.UTF_8) + "=" + score;
        }
    }

    /** A score interval, as ZRANGEBYSCORE's {@code min}/{@code max} with {@code (} exclusions. */
    public record ScoreRange(double min, boolean minExclusive, double max, boolean maxExclusive) {
        public boolean aboveMin(double s) {
            return minExclusive ? s > min : s >= min;
        }

        public boolean belowMax(double s) {
            return maxExclusive ? s < max : s <= max;
        }

        /** True when no score can be inside (Redis answers such ranges with nothing). */
        public boolean empty() {
            return min > max || (min == max && (minExclusive || maxExclusive));
        }
    }

    /** A lex bound: {@code -} (null value, not positive), {@code +} (null value, positive), or a value. */
    public record LexBound(byte[] value, boolean exclusive, boolean positiveInfinity) {
        public static final LexBound MINUS = new LexBound(null, false, false);
        public static final LexBound PLUS = new LexBound(null, false, true);
    }

    /** A lex interval, as ZRANGEBYLEX's {@code min}/{@code max}. */
    public record LexRange(LexBound min, LexBound max) {
        public boolean aboveMin(byte[] m) {
            if (min.value == null) {
                return !min.positiveInfinity;
            }
            int c = Arrays.compareUnsigned(m, min.value);
            return min.exclusive ? c > 0 : c >= 0;
        }

        public boolean belowMax(byte[] m) {
            if (max.value == null) {
                return max.positiveInfinity;
            }
            int c = Arrays.compareUnsigned(m, max.value);
            return max.exclusive ? c < 0 : c <= 0;
        }

        public boolean empty() {
            if (min.value == null && min.positiveInfinity || max.value == null && !max.positiveInfinity) {
                return true;
            }
            if (min.value != null && max.value != null) {
                int c = Arrays.compareUnsigned(min.value, max.value);
                return c > 0 || (c == 0 && (min.exclusive || max.exclusive));
            }
            return false;
        }
    }

    /** {@code zset-max-listpack-entries} and {@code zset-max-listpack-value}, read at each write. */
    public record ListpackLimits(long entries, long value) {
        public static final ListpackLimits REDIS_DEFAULT = new ListpackLimits(128, 64);
    }

    private static final byte[] NO_VALUE = new byte[0];
    private static final byte[] NEGATIVE_ZERO = {1};

    private final Keyspace ks;
    private final Engine engine;
    private final Supplier<ListpackLimits> limits;

    public ZSetStore(Keyspace ks, Supplier<ListpackLimits> limits) {
        this.ks = ks;
        this.engine = ks.engine();
        this.limits = limits;
        ks.collections(ValueType.ZSET, new Replica(ks));
    }

    public ZSetStore(Keyspace ks) {
        this(ks, () -> ListpackLimits.REDIS_DEFAULT);
    }

    public Keyspace keyspace() {
        return ks;
    }

    // ---------------------------------------------------------------- byte layouts

    /** Unsigned-order-preserving form of a score; -0.0 sorts (and is stored in the index) as 0.0. */
    public static long sortable(double score) {
        long b = Double.doubleToRawLongBits(score == 0 ? 0.0 : score);
        return b >= 0 ? b ^ Long.MIN_VALUE : ~b;
    }

    public static double unsortable(long v) {
        return Double.longBitsToDouble(v < 0 ? v ^ Long.MIN_VALUE : ~v);
    }

    static byte[] indexKey(byte[] prefix, double score, byte[] member) {
        byte[] out = new byte[prefix.length + 8 + member.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        KeyCodec.putLong(out, prefix.length, sortable(score));
        System.arraycopy(member, 0, out, prefix.length + 8, member.length);
        return out;
    }

    private static byte[] indexBound(byte[] prefix, long sortable) {
        byte[] out = Arrays.copyOf(prefix, prefix.length + 8);
        KeyCodec.putLong(out, prefix.length, sortable);
        return out;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static Member fromIndex(int prefixLength, byte[] key, byte[] value) {
        double score = value.length == 1 && value[0] == 1 ? -0.0 : unsortable(KeyCodec.getLong(key, prefixLength));
        return new Member(Arrays.copyOfRange(key, prefixLength + 8, key.length), score);
    }

    /** A stored element: its score (the row's prefix) and its contributions. */
    record Row(double score, DotFun<Contribution> contributions) {}

    static byte[] encodeRow(double score, DotFun<Contribution> contributions) {
        byte[] field = ElementCodec.encodeField(contributions);
        byte[] out = new byte[8 + field.length];
        KeyCodec.putLong(out, 0, Double.doubleToRawLongBits(score));
        System.arraycopy(field, 0, out, 8, field.length);
        return out;
    }

    static double scoreOfRow(byte[] value) {
        if (value.length < 8) {
            throw new StoreException("sorted-set row of " + value.length + " bytes");
        }
        return Double.longBitsToDouble(KeyCodec.getLong(value, 0));
    }

    /** The contributions of a stored row (after its score). */
    static DotFun<Contribution> contributionsOf(byte[] row) throws CodecException {
        if (row.length < 8) {
            throw new CodecException("sorted-set row of " + row.length + " bytes");
        }
        return ElementCodec.decodeField(Arrays.copyOfRange(row, 8, row.length));
    }

    static Row decodeRow(byte[] value) {
        try {
            return new Row(scoreOfRow(value), ElementCodec.decodeField(Arrays.copyOfRange(value, 8, value.length)));
        } catch (CodecException e) {
            throw new StoreException("corrupt sorted-set row: " + e.getMessage());
        }
    }

    static byte[] scoreBytes(double score) {
        byte[] b = new byte[8];
        KeyCodec.putLong(b, 0, Double.doubleToRawLongBits(score));
        return b;
    }

    /** The score a register resolves to: its winning assignment (8 raw bytes) plus any counted increments. */
    static double resolveScore(RegisterValue v) {
        double base = 0;
        if (v.assigned().isPresent()) {
            byte[] b = v.assigned().get().toByteArray();
            if (b.length == 8) {
                base = Double.longBitsToDouble(KeyCodec.getLong(b, 0));
            }
        }
        return v.increments() == 0 ? base : base + v.integral() + v.floating();
    }

    private static CausalContext context(Metadata m) {
        return RowReplica.context(m);
    }

    // ---------------------------------------------------------------- point reads

    /** The score of {@code member} in the live zset {@code meta}, or null. One get. */
    public Double score(int db, byte[] key, Metadata meta, byte[] member) {
        byte[] v = engine.get(ColumnFamily.SUB, KeyCodec.sub(db, key, meta.version(), member));
        return v == null ? null : scoreOfRow(v);
    }

    // ---------------------------------------------------------------- range reads

    /** Members with rank in {@code [start, stop]} (0-based, already clipped to {@code [0, size)}), in order or reversed. */
    public List<Member> byRank(int db, byte[] key, Metadata meta, long start, long stop, boolean rev) {
        List<Member> out = new ArrayList<>();
        if (start > stop || start >= meta.size()) {
            return out;
        }
        long size = meta.size();
        stop = Math.min(stop, size - 1);
        byte[] p = KeyCodec.subPrefix(db, key, meta.version());
        // ascending ranks [lo, hi]; walk from whichever end is nearer (no order-statistic tree)
        long lo = rev ? size - 1 - stop : start;
        long hi = rev ? size - 1 - start : stop;
        long count = hi - lo + 1;
        boolean fromFront = lo <= size - 1 - hi;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.ZSCORE, p, KeyCodec.prefixEnd(p))) {
            if (fromFront) {
                c.seekToFirst();
            } else {
                c.seekToLast();
            }
            long skip = fromFront ? lo : size - 1 - hi;
            for (long i = 0; i < skip && c.valid(); i++) {
                advance(c, !fromFront);
            }
            for (long i = 0; i < count && c.valid(); i++) {
                out.add(fromIndex(p.length, c.key(), c.value()));
                advance(c, !fromFront);
            }
        }
        if (fromFront == rev) {
            java.util.Collections.reverse(out);
        }
        return out;
    }

    /** Members with a score in {@code range}, ascending (descending if {@code rev}), after skipping {@code offset}, at most {@code limit} (negative: all). */
    public List<Member> byScore(int db, byte[] key, Metadata meta, ScoreRange range, boolean rev, long offset, long limit) {
        List<Member> out = new ArrayList<>();
        if (range.empty() || offset < 0) {
            return out;
        }
        scanScores(db, key, meta, range, rev, offset, limit, out);
        return out;
    }

    /** Number of members with a score in {@code range}. O(log n + count). */
    public long count(int db, byte[] key, Metadata meta, ScoreRange range) {
        if (range.empty()) {
            return 0;
        }
        byte[] p = KeyCodec.subPrefix(db, key, meta.version());
        long n = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.ZSCORE, indexBound(p, sortable(range.min())), KeyCodec.prefixEnd(p))) {
            for (c.seekToFirst(); c.valid(); c.next()) {
                double s = unsortable(KeyCodec.getLong(c.key(), p.length));
                if (!range.aboveMin(s)) {
                    continue;
                }
                if (!range.belowMax(s)) {
                    break;
                }
                n++;
            }
        }
        return n;
    }

    private void scanScores(int db, byte[] key, Metadata meta, ScoreRange range, boolean rev,
            long offset, long limit, List<Member> out) {
        byte[] p = KeyCodec.subPrefix(db, key, meta.version());
        try (Engine.Cursor c = engine.iterate(ColumnFamily.ZSCORE, p, KeyCodec.prefixEnd(p))) {
            if (!rev) {
                c.seek(indexBound(p, sortable(range.min())));
            } else {
                long hi = sortable(range.max());
                if (hi == -1L) {
                    c.seekToLast();
                } else {
                    c.seekForPrev(indexBound(p, hi + 1));
                }
            }
            long skipped = 0;
            for (; c.valid(); advance(c, rev)) {
                double s = unsortable(KeyCodec.getLong(c.key(), p.length));
                if (!rev) {
                    if (!range.aboveMin(s)) {
                        continue;
                    }
                    if (!range.belowMax(s)) {
                        break;
                    }
                } else {
                    if (!range.belowMax(s)) {
                        continue;
                    }
                    if (!range.aboveMin(s)) {
                        break;
                    }
                }
                if (skipped < offset) {
                    skipped++;
                    continue;
                }
                if (limit >= 0 && out.size() >= limit) {
                    break;
                }
                out.add(fromIndex(p.length, c.key(), c.value()));
            }
        }
    }

    private static void advance(Engine.Cursor c, boolean rev) {
        if (rev) {
            c.prev();
        } else {
            c.next();
        }
    }

    /**
     * Members in the lex range, from the {@code sub} rows (member order). Like Redis, meaningful
     * when all scores are equal; with mixed scores Redis's answer depends on its skiplist walk and
     * ours is the member-order answer.
     */
    public List<Member> byLex(int db, byte[] key, Metadata meta, LexRange range, boolean rev, long offset, long limit) {
        List<Member> out = new ArrayList<>();
        if (range.empty() || offset < 0) {
            return out;
        }
        byte[] p = KeyCodec.subPrefix(db, key, meta.version());
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, p, KeyCodec.prefixEnd(p))) {
            if (!rev) {
                if (range.min().value() == null) {
                    c.seekToFirst();
                } else {
                    c.seek(concat(p, range.min().value()));
                }
            } else {
                if (range.max().value() == null) {
                    c.seekToLast();
                } else {
                    c.seekForPrev(concat(p, range.max().value()));
                }
            }
            long skipped = 0;
            for (; c.valid(); advance(c, rev)) {
                byte[] m = Arrays.copyOfRange(c.key(), p.length, c.key().length);
                if (!rev) {
                    if (!range.aboveMin(m)) {
                        continue;
                    }
                    if (!range.belowMax(m)) {
                        break;
                    }
                } else {
                    if (!range.belowMax(m)) {
                        continue;
                    }
                    if (!range.aboveMin(m)) {
                        break;
                    }
                }
                if (skipped < offset) {
                    skipped++;
                    continue;
                }
                if (limit >= 0 && out.size() >= limit) {
                    break;
                }
                out.add(new Member(m, scoreOfRow(c.value())));
            }
        }
        return out;
    }

    public long lexCount(int db, byte[] key, Metadata meta, LexRange range) {
        return byLex(db, key, meta, range, false, 0, -1).size();
    }

    /**
     * The 0-based rank of {@code member} (from the top if {@code rev}) and its score, or null if absent.
     * Two cursors walk from both ends at once, so the cost is O(min(rank, n - rank)).
     */
    public long[] rank(int db, byte[] key, Metadata meta, byte[] member, boolean rev) {
        Double score = score(db, key, meta, member);
        if (score == null) {
            return null;
        }
        byte[] p = KeyCodec.subPrefix(db, key, meta.version());
        byte[] target = indexKey(p, score, member);
        long ascending = -1;
        try (Engine.Cursor front = engine.iterate(ColumnFamily.ZSCORE, p, KeyCodec.prefixEnd(p));
                Engine.Cursor back = engine.iterate(ColumnFamily.ZSCORE, p, KeyCodec.prefixEnd(p))) {
            front.seekToFirst();
            back.seekToLast();
            for (long i = 0; front.valid() || back.valid(); i++) {
                if (front.valid()) {
                    if (Arrays.equals(front.key(), target)) {
                        ascending = i;
                        break;
                    }
                    front.next();
                }
                if (back.valid()) {
                    if (Arrays.equals(back.key(), target)) {
                        ascending = meta.size() - 1 - i;
                        break;
                    }
                    back.prev();
                }
            }
        }
        if (ascending < 0) {
            throw new StoreException("sorted-set index misses a member");
        }
        return new long[] {rev ? meta.size() - 1 - ascending : ascending, Double.doubleToRawLongBits(score)};
    }

    /** Every member in score order. O(n). */
    public List<Member> all(int db, byte[] key, Metadata meta) {
        return byRank(db, key, meta, 0, meta.size() - 1, false);
    }

    /** Up to {@code count} members after {@code after} (exclusive; null from the start) in member order, for ZSCAN. */
    public List<Member> page(int db, byte[] key, Metadata meta, byte[] after, int count) {
        List<Member> out = new ArrayList<>();
        byte[] p = KeyCodec.subPrefix(db, key, meta.version());
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, p, KeyCodec.prefixEnd(p))) {
            if (after == null) {
                c.seekToFirst();
            } else {
                c.seek(concat(p, after));
                if (c.valid() && Arrays.equals(Arrays.copyOfRange(c.key(), p.length, c.key().length), after)) {
                    c.next();
                }
            }
            for (; c.valid() && out.size() < count; c.next()) {
                out.add(new Member(Arrays.copyOfRange(c.key(), p.length, c.key().length), scoreOfRow(c.value())));
            }
        }
        return out;
    }

    /**
     * A member found by seeking a random point of the member rows (wrapping to the first): cheap, but
     * not uniform, since a member after a wide gap in the byte order is picked more often. Null if empty.
     */
    public Member random(int db, byte[] key, Metadata meta) {
        byte[] p = KeyCodec.subPrefix(db, key, meta.version());
        byte[] probe = new byte[1 + ThreadLocalRandom.current().nextInt(4)];
        ThreadLocalRandom.current().nextBytes(probe);
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, p, KeyCodec.prefixEnd(p))) {
            c.seek(concat(p, probe));
            if (!c.valid()) {
                c.seekToFirst();
            }
            if (!c.valid()) {
                return null;
            }
            return new Member(Arrays.copyOfRange(c.key(), p.length, c.key().length), scoreOfRow(c.value()));
        }
    }

    // ---------------------------------------------------------------- writes

    /** Starts a change of the zset {@code key}; {@code live} is its live metadata (a zset) or null for a new key. Caller holds the lock. */
    public Edit edit(int db, byte[] key, Metadata live) {
        return new Edit(db, key, live);
    }

    /**
     * The changes of one command to one zset: reads the rows it touches (cached), collects the
     * assignments and removals, and commits them through the OrMap mutators as one delta.
     * Not thread-safe; used under the key's lock.
     */
    public final class Edit {
        private final int db;
        private final byte[] key;
        private final Metadata live;
        /** The tombstone a new key continues (null when live, or when there is none). */
        private final Metadata prior;
        private final SortedMap<Bytes, Row> rows = new TreeMap<>();
        private final Set<Bytes> absent = new HashSet<>();
        private final Map<Bytes, Double> puts = new LinkedHashMap<>();
        private final Set<Bytes> removes = new java.util.TreeSet<>();
        private long sizeHint;
        private long maxLength;

        private Edit(int db, byte[] key, Metadata live) {
            this.db = db;
            this.key = key;
            this.live = live;
            this.prior = live == null ? ElementRows.prior(ks, db, key) : null;
        }

        /** The member's current score (as this edit left it), or null. */
        public Double score(byte[] member) {
            Bytes b = Bytes.of(member);
            if (puts.containsKey(b)) {
                return puts.get(b);
            }
            if (removes.contains(b)) {
                return null;
            }
            Row r = load(b);
            return r == null ? null : r.score();
        }

        private Row load(Bytes b) {
            if (live == null || absent.contains(b)) {
                return null;
            }
            Row r = rows.get(b);
            if (r == null) {
                byte[] v = engine.get(ColumnFamily.SUB, KeyCodec.sub(db, key, live.version(), b.toByteArray()));
                if (v == null) {
                    absent.add(b);
                    return null;
                }
                r = decodeRow(v);
                rows.put(b, r);
            }
            return r;
        }

        /** Assigns {@code score} to {@code member}. */
        public void put(byte[] member, double score) {
            Bytes b = Bytes.of(member);
            load(b);
            removes.remove(b);
            puts.put(b, score);
            maxLength = Math.max(maxLength, member.length);
        }

        /** Removes {@code member}; false (and nothing recorded) if it is not there. */
        public boolean remove(byte[] member) {
            Bytes b = Bytes.of(member);
            if (puts.remove(b) != null) {
                if (load(b) != null) {
                    removes.add(b);
                }
                return true;
            }
            if (removes.contains(b) || load(b) == null) {
                return false;
            }
            removes.add(b);
            return true;
        }

        /** The number of elements the command creating this key named (Redis's size hint for the encoding). */
        public void sizeHint(long n) {
            sizeHint = n;
        }

        public boolean changed() {
            return !puts.isEmpty() || !removes.isEmpty();
        }

        /**
         * Commits the edit (nothing when it changed nothing).
         * Encoding, Redis 7.2: a key is created listpack when the command's element count and longest
         * member fit {@code zset-max-listpack-entries}/{@code -value}; a listpack key becomes skiplist
         * once its size or a member written to it exceeds them, and never goes back.
         */
        public void commit() {
            if (!changed()) {
                return;
            }
            ListpackLimits l = limits.get();
            Encoding encoding;
            if (live == null) {
                encoding = Math.max(sizeHint, 1) <= l.entries() && maxLength <= l.value() ? Encoding.LISTPACK : Encoding.SKIPLIST;
            } else {
                encoding = live.encoding() == Encoding.LISTPACK && maxLength <= l.value() ? Encoding.LISTPACK : Encoding.SKIPLIST;
            }
            SortedMap<Bytes, DotFun<Contribution>> funs = new TreeMap<>();
            for (Map.Entry<Bytes, Row> e : rows.entrySet()) {
                funs.put(e.getKey(), e.getValue().contributions());
            }
            OrMap slice = new OrMap(DotMap.of(funs), context(live == null ? prior : live));
            OrMap delta = null;
            if (!puts.isEmpty()) {
                Map<Bytes, Bytes> assign = new TreeMap<>();
                for (Map.Entry<Bytes, Double> e : puts.entrySet()) {
                    double s = e.getValue();
                    // a listpack stores scores as text and reads "-0" back as 0 (as Redis's listpack does)
                    if (s == 0 && encoding == Encoding.LISTPACK) {
                        s = 0.0;
                    }
                    assign.put(e.getKey(), Bytes.of(scoreBytes(s)));
                }
                delta = slice.put(assign, ks.clock());
            }
            if (!removes.isEmpty()) {
                OrMap base = delta == null ? slice : slice.merge(delta);
                OrMap removal = base.remove(removes, ks.clock());
                delta = delta == null ? removal : delta.merge(removal);
            }
            try (Keyspace.Changes changes = ks.changes()) {
                apply(changes, db, key, live, prior, rows, slice, delta, encoding);
                changes.commit();
            }
        }
    }

    /**
     * Stages {@code delta} merged into the stored rows {@code rows} (every row the delta can touch,
     * read under the lock; {@code slice} is them with the stored context): writes each touched
     * member's row and index entry, or deletes them, and META with the new size and context (or
     * what an emptied set leaves). A new key ({@code live} null) replaces {@code prior}, the
     * tombstone it continues, if any.
     */
    private void apply(Keyspace.Changes changes, int db, byte[] key, Metadata live, Metadata prior,
            SortedMap<Bytes, Row> rows, OrMap slice, OrMap delta, Encoding encoding) {
        OrMap result = slice.merge(delta);
        Stamp stamp = ks.stamp();
        long version = live == null ? stamp.time() : live.version();
        RowWriter writer = RowWriter.local(ks, changes, ValueType.ZSET, db, key, version, live == null ? 0 : live.elementsHash());
        byte[] p = writer.prefix();
        long size = live == null ? 0 : live.size();
        Set<Bytes> touched = new java.util.TreeSet<>(rows.keySet());
        for (Bytes k : delta.store().keys()) {
            touched.add(k);
        }
        long maxLength = 0;
        for (Bytes member : touched) {
            Row old = rows.get(member);
            DotFun<Contribution> now = result.store().get(member);
            java.util.Optional<RegisterValue> value = RegisterValue.resolve(now);
            byte[] m = member.toByteArray();
            byte[] before = old == null ? null : encodeRow(old.score(), old.contributions());
            // an element whose register holds no value has no row (zsets write no increments, so no offsets to keep)
            byte[] after = value.isPresent() ? encodeRow(resolveScore(value.get()), now) : null;
            writer.write(m, before, after);
            reindex(changes, p, m, before, after);
            size += (after == null ? 0 : 1) - (old == null ? 0 : 1);
            if (after != null) {
                maxLength = Math.max(maxLength, m.length);
            }
        }
        writer.ship(result.context().last());
        changes.put(db, key, live == null ? prior : live, ElementRows.updated(ks, ValueType.ZSET, live, prior,
                encoding(encoding, size, maxLength), stamp, size, ElementCodec.encodeContext(result.context()),
                writer.hash()));
    }

    /** A listpack key becomes skiplist once its size or a member written to it exceeds the limits. */
    private Encoding encoding(Encoding encoding, long size, long maxLength) {
        ListpackLimits l = limits.get();
        return encoding == Encoding.LISTPACK && (size > l.entries() || maxLength > l.value()) ? Encoding.SKIPLIST : encoding;
    }

    /** Keeps the score index of row {@code member} (under prefix {@code p}) in step with its change from {@code before} to {@code after}. */
    private static void reindex(Keyspace.Changes changes, byte[] p, byte[] member, byte[] before, byte[] after) {
        if (before != null && after != null && KeyCodec.getLong(before, 0) == KeyCodec.getLong(after, 0)) {
            return;
        }
        if (before != null) {
            changes.deleteSub(ColumnFamily.ZSCORE, indexKey(p, scoreOfRow(before), member));
        }
        if (after != null) {
            double score = scoreOfRow(after);
            changes.putSub(ColumnFamily.ZSCORE, indexKey(p, score, member),
                    Double.doubleToRawLongBits(score) == Long.MIN_VALUE ? NEGATIVE_ZERO : NO_VALUE);
        }
    }

    /**
     * Replaces {@code key} by a new zset holding {@code members} (ZUNIONSTORE, ZRANGESTORE...): a new
     * version, no expiry, the encoding Redis gives a stored result (listpack if it fits). An empty
     * {@code members} deletes the key. Staged in {@code changes}; the caller holds the lock and read
     * {@code stored} (the key's stored metadata, any type, or null).
     */
    public void replace(Keyspace.Changes changes, int db, byte[] key, Metadata stored, List<Member> members) {
        Stamp stamp = ks.stamp();
        CausalContext continued = context(ElementRows.continued(ValueType.ZSET, stored));
        if (members.isEmpty()) {
            changes.put(db, key, stored, ElementRows.deleted(ks, stored, stamp, continued));
            return;
        }
        Map<Bytes, Bytes> assign = new TreeMap<>();
        long maxLength = 0;
        ListpackLimits l = limits.get();
        boolean listpack = members.size() <= l.entries();
        for (Member m : members) {
            maxLength = Math.max(maxLength, m.member().length);
        }
        listpack &= maxLength <= l.value();
        for (Member m : members) {
            double s = listpack && m.score() == 0 ? 0.0 : m.score();
            assign.put(Bytes.of(m.member()), Bytes.of(scoreBytes(s)));
        }
        OrMap slice = new OrMap(DotMap.empty(), continued);
        OrMap delta = slice.put(assign, ks.clock());
        RowWriter writer = RowWriter.local(ks, changes, ValueType.ZSET, db, key, stamp.time(), 0);
        for (Map.Entry<Bytes, DotFun<Contribution>> e : delta.store()) {
            byte[] m = e.getKey().toByteArray();
            byte[] row = encodeRow(resolveScore(RegisterValue.resolve(e.getValue()).orElseThrow()), e.getValue());
            writer.write(m, null, row);
            reindex(changes, writer.prefix(), m, null, row);
        }
        writer.dropped(engine, stored, assign.keySet());
        CausalContext context = slice.merge(delta).context();
        writer.ship(context.last());
        changes.put(db, key, stored, ElementRows.replaced(ValueType.ZSET, stored,
                listpack ? Encoding.LISTPACK : Encoding.SKIPLIST, stamp, delta.store().size(),
                ElementCodec.encodeContext(context), writer.hash()));
    }

    // ---------------------------------------------------------------- replication

    /** Merges other replicas' sorted-set deltas: rows are {@code score | contributions}, the index follows them. */
    private final class Replica extends RowReplica<Contribution> {

        Replica(Keyspace ks) {
            super(ks, ValueType.ZSET);
        }

        @Override
        DotFun<Contribution> decode(byte[] row) throws CodecException {
            return contributionsOf(row);
        }

        @Override
        byte[] encode(DotFun<Contribution> dots) {
            return RegisterValue.resolve(dots).map(v -> encodeRow(resolveScore(v), dots)).orElse(null);
        }

        @Override
        boolean visible(DotFun<Contribution> dots) {
            return RegisterValue.resolve(dots).isPresent();
        }

        @Override
        Bookkeeping begin(Keyspace.Changes changes, Metadata live, byte[] prefix) {
            long[] maxLength = {0};
            return new Bookkeeping() {
                @Override
                public void row(byte[] name, byte[] before, byte[] after) {
                    reindex(changes, prefix, name, before, after);
                    if (after != null) {
                        maxLength[0] = Math.max(maxLength[0], name.length);
                    }
                }

                @Override
                public Metadata finish(Metadata meta) {
                    Encoding start = live == null ? Encoding.LISTPACK : live.encoding();
                    return reshaped(meta, encoding(start, meta.size(), maxLength[0]), null);
                }
            };
        }
    }

    /** Every row as (member, stored score), in member order; O(n), for tests and diagnostics. */
    public List<Member> rowEntries(int db, byte[] key, Metadata meta) {
        return page(db, key, meta, null, Integer.MAX_VALUE);
    }

    /** The state of {@code key} as one OrMap (rows + context), for tests comparing replicas. O(n). */
    public OrMap state(int db, byte[] key) {
        Metadata live = ks.read(db, key);
        if (live == null) {
            return OrMap.EMPTY;
        }
        SortedMap<Bytes, DotFun<Contribution>> funs = new TreeMap<>();
        byte[] p = KeyCodec.subPrefix(db, key, live.version());
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, p, KeyCodec.prefixEnd(p))) {
            for (c.seekToFirst(); c.valid(); c.next()) {
                funs.put(Bytes.of(Arrays.copyOfRange(c.key(), p.length, c.key().length)), decodeRow(c.value()).contributions());
            }
        }
        return new OrMap(DotMap.of(funs), context(live));
    }
}
