package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.CodecException;
import io.hyperkv.crdt.Contribution;
import io.hyperkv.crdt.Dot;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.DotMap;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.Position;
import io.hyperkv.crdt.Sequence;
import io.hyperkv.crdt.Stamp;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Redis lists on the store: a {@link Sequence} CRDT kept as one {@link ColumnFamily#SUB} row per
 * element, {@code P | Position.sortKey()} → {@link ElementCodec#encodeField} contributions, so the
 * rows are in list order and the two-way cursor reads either end. META holds the size (LLEN is
 * O(1)), the causal context, the encoding and, in its payload,
 * {@code headLen u16 | head sortKey | tailLen u16 | tail sortKey | listpackBytes u64}:
 * <ul>
 *   <li>the ends let LPUSH/RPUSH place new elements without reading any row (1 META get + 1 batch)
 *       and let pops seek straight to the first live row, never walking the deletion markers left
 *       by earlier pops (1 get + 1 seek + 1 batch);</li>
 *   <li>{@code listpackBytes} is the size Redis 7.2's listpack of the same elements would have, for
 *       OBJECT ENCODING: {@code listpack} while it stays within {@code list-max-listpack-size -2}
 *       (8 KB; Redis adds the raw lengths of pushed values to decide), {@code quicklist} beyond,
 *       back to {@code listpack} when a removal shrinks it to half that (Redis also requires a
 *       single quicklist node, which we do not model: a list trimmed from both ends may say
 *       listpack slightly earlier than Redis).</li>
 * </ul>
 * Every mutation runs the Sequence mutator on a slice (the rows it touches plus the context) and
 * writes exactly the rows the delta touches; a push's slice is the end position only (its value is
 * never read: the mutator places new elements by position, and that row is not rewritten). Index
 * reads (LINDEX, LRANGE, LSET, LPOS) walk from the nearer end, O(n) like Redis's quicklist. Every
 * method takes the key locks it needs; rows are written through a {@link RowWriter} (element hash,
 * naming for replication); a list emptied by a command loses its META row, or leaves a tombstone
 * with its context while replicating, which a new list of the key continues. Deltas from other
 * replicas are merged by the {@link RowReplica} this store registers (positions are the element
 * names; it keeps the ends and the listpack size in step).
 */
public final class ListStore {

    /** list-max-listpack-size -2: a listpack (and a quicklist node) holds at most 8 KB. */
    static final long LISTPACK_MAX_BYTES = 8192;
    /** An empty listpack: 4 bytes total size, 2 bytes count, 1 end byte. */
    static final long LISTPACK_EMPTY_BYTES = 7;

    /** The key holds another type. */
    public static final class WrongType extends RuntimeException {
        public WrongType() {
            super("WRONGTYPE", null, false, false);
        }
    }

    /** What a push did: the new length. */
    public record Pushed(long length) {}

    /**
     * What a removal did: the values taken out (in reply order) and the length left (0: the key is
     * gone, Redis's "del" event).
     */
    public record Removed(List<byte[]> values, long remaining) {}

    /** LSET's outcome. */
    public enum SetStatus { OK, NO_SUCH_KEY, OUT_OF_RANGE }

    /** What LINSERT did: the new length (-1 pivot not found, 0 no key). */
    public record Inserted(long length) {}

    /**
     * LMOVE's outcome: the moved value (null if the source was empty), the length left in the
     * source and the destination's new length.
     */
    public record Moved(byte[] value, long sourceRemaining, long destinationLength) {}

    /** Where a push puts its slice's end element: its value is never read (see the class comment). */
    private static final DotFun<Contribution> PLACEHOLDER = DotFun.of(new Dot(0, 1), new Contribution.Assign(Stamp.ZERO, Bytes.EMPTY));

    private static final int POP_READ_AHEAD = 32;
    private static final int MAX_POP_CACHES = 4096;

    private final Keyspace ks;
    /**
     * Per list version (sub-key prefix), the rows from one end read ahead by the last pop there, valid while the
     * list's META is still the very object that pop wrote (compared by identity: every write of a list's rows, local
     * or merged, writes a new META object, and an evicted and reloaded one is another object too). A run of pops
     * from one end (LPOP/RPOP with nothing else writing the list) then opens an iterator once per
     * {@value #POP_READ_AHEAD} rows instead of once per pop. Accessed under the list's lock.
     */
    private final Map<Bytes, EndRows> popAhead = new java.util.concurrent.ConcurrentHashMap<>();

    /** Rows from one end of a list, the end first, as of META {@code meta}; {@code whole}: they reach the other end. */
    private record EndRows(Metadata meta, boolean left, java.util.ArrayDeque<Row> rows, boolean whole) {}

    public ListStore(Keyspace ks) {
        this.ks = ks;
        ks.collections(ValueType.LIST, new Replica(ks));
    }

    // ------------------------------------------------------------------ reads

    /** LLEN; 0 for a missing key. */
    public long length(int db, byte[] key) {
        Metadata m = list(db, key);
        return m == null ? 0 : m.size();
    }

    /** True if the key holds a list (WrongType if it holds something else). */
    public boolean exists(int db, byte[] key) {
        return list(db, key) != null;
    }

    /** LRANGE with Redis's index rules. */
    public List<byte[]> range(int db, byte[] key, long start, long stop) {
        Metadata m = list(db, key);
        if (m == null) {
            return List.of();
        }
        long[] span = span(start, stop, m.size());
        if (span == null) {
            return List.of();
        }
        int n = (int) (span[1] - span[0] + 1);
        Ends ends = Ends.decode(m.payload());
        List<Row> rows;
        if (span[0] <= m.size() - 1 - span[1]) {
            rows = walk(db, key, m, ends, true, span[0], n);
        } else {
            rows = walk(db, key, m, ends, false, m.size() - 1 - span[1], n);
            Collections.reverse(rows);
        }
        List<byte[]> out = new ArrayList<>(rows.size());
        for (Row r : rows) {
            out.add(r.value());
        }
        return out;
    }

    /** LINDEX: the value at {@code index} (negative from the tail), null if none. */
    public byte[] index(int db, byte[] key, long index) {
        Metadata m = list(db, key);
        if (m == null) {
            return null;
        }
        Row r = rowAt(db, key, m, index);
        return r == null ? null : r.value();
    }

    /**
     * LPOS: the indexes of the elements equal to {@code value}, from the head for a positive
     * {@code rank} (the rank-th match first), from the tail for a negative one; at most {@code count}
     * (0: all), comparing at most {@code maxlen} elements (0: all).
     */
    public List<Long> positions(int db, byte[] key, byte[] value, long rank, long count, long maxlen) {
        Metadata m = list(db, key);
        List<Long> out = new ArrayList<>();
        if (m == null) {
            return out;
        }
        boolean fromHead = rank > 0;
        long skip = Math.abs(rank) - 1;
        Ends ends = Ends.decode(m.payload());
        byte[] prefix = KeyCodec.subPrefix(db, key, m.version());
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            startAt(c, prefix, ends, fromHead);
            long i = 0;
            for (; c.valid() && (maxlen == 0 || i < maxlen); i++) {
                if (Arrays.equals(valueOf(decode(c.value())), value)) {
                    if (skip > 0) {
                        skip--;
                    } else {
                        out.add(fromHead ? i : m.size() - 1 - i);
                        if (count != 0 && out.size() >= count) {
                            break;
                        }
                    }
                }
                step(c, fromHead);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ writes

    /**
     * LPUSH/RPUSH (and the X forms when {@code onlyIfExists}): the new length, 0 when
     * {@code onlyIfExists} and the key is absent (no delta then).
     */
    public Pushed push(int db, byte[] key, List<byte[]> values, boolean left, boolean onlyIfExists) {
        try (KeyLocks.Held ignored = ks.lock(db, key); Keyspace.Changes changes = ks.changes()) {
            Edit e = open(db, key, !onlyIfExists);
            if (e == null) {
                return new Pushed(0);
            }
            e.push(values, left, changes);
            e.stage(changes);
            changes.commit();
            return new Pushed(e.size);
        }
    }

    /** LPOP/RPOP: up to {@code count} values from one end, null if the key is absent. */
    public Removed pop(int db, byte[] key, long count, boolean left) {
        try (KeyLocks.Held ignored = ks.lock(db, key); Keyspace.Changes changes = ks.changes()) {
            Edit e = open(db, key, false);
            if (e == null) {
                return null;
            }
            if (count == 0) {
                return new Removed(List.of(), e.size);
            }
            Removed r = e.pop(count, left, changes);
            e.stage(changes);
            changes.commit();
            keepAhead(db, key, e);
            return r;
        }
    }

    /** LSET. */
    public SetStatus set(int db, byte[] key, long index, byte[] value) {
        try (KeyLocks.Held ignored = ks.lock(db, key); Keyspace.Changes changes = ks.changes()) {
            Edit e = open(db, key, false);
            if (e == null) {
                return SetStatus.NO_SUCH_KEY;
            }
            Row r = rowAt(db, key, e.stored, index);
            if (r == null) {
                return SetStatus.OUT_OF_RANGE;
            }
            Sequence slice = new Sequence(DotMap.of(single(r.position(), r.element())), e.context);
            Sequence delta = slice.set(0, Bytes.of(value), ks.clock());
            Sequence result = slice.merge(delta);
            e.writer(changes).write(r.sortKey(), r.raw(), ElementCodec.encodeField(result.store().get(r.position())));
            e.context = result.context();
            e.appendCheck(value.length);
            e.listpackBytes += entryBytes(value) - entryBytes(r.value());
            e.shrinkCheck();
            e.stage(changes);
            changes.commit();
            return SetStatus.OK;
        }
    }

    /** LINSERT: the new length, -1 if the pivot is not found, 0 if the key is absent. */
    public Inserted insert(int db, byte[] key, boolean before, byte[] pivot, byte[] value) {
        try (KeyLocks.Held ignored = ks.lock(db, key); Keyspace.Changes changes = ks.changes()) {
            Edit e = open(db, key, false);
            if (e == null) {
                return new Inserted(0);
            }
            Row prev = null;
            Row found = null;
            Row next = null;
            byte[] prefix = e.prefix();
            try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
                startAt(c, prefix, e.ends(), true);
                for (; c.valid(); c.next()) {
                    Row r = row(prefix, c);
                    if (found != null) {
                        next = r;
                        break;
                    }
                    if (Arrays.equals(r.value(), pivot)) {
                        found = r;
                        if (before) {
                            break;
                        }
                    } else {
                        prev = r;
                    }
                }
            }
            if (found == null) {
                return new Inserted(-1);
            }
            SortedMap<Position, DotFun<Contribution>> rows = single(found.position(), found.element());
            Row neighbour = before ? prev : next;
            if (neighbour != null) {
                rows.put(neighbour.position(), neighbour.element());
            }
            Sequence slice = new Sequence(DotMap.of(rows), e.context);
            Sequence delta = slice.insert(Bytes.of(pivot), before, Bytes.of(value), ks.clock()).orElseThrow();
            e.appendCheck(value.length);
            e.add(delta, changes, List.of(value));
            e.stage(changes);
            changes.commit();
            return new Inserted(e.size);
        }
    }

    /** LREM: removes the first {@code count} matches from the head (from the tail if negative, all if 0). */
    public Removed remove(int db, byte[] key, long count, byte[] value) {
        try (KeyLocks.Held ignored = ks.lock(db, key); Keyspace.Changes changes = ks.changes()) {
            Edit e = open(db, key, false);
            if (e == null) {
                return new Removed(List.of(), 0);
            }
            boolean fromHead = count >= 0;
            long limit = count == 0 || count == Long.MIN_VALUE ? Long.MAX_VALUE : Math.abs(count);
            List<Row> victims = new ArrayList<>();
            byte[] prefix = e.prefix();
            try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
                startAt(c, prefix, e.ends(), fromHead);
                for (; c.valid() && victims.size() < limit; step(c, fromHead)) {
                    DotFun<Contribution> element = decode(c.value());
                    if (Arrays.equals(valueOf(element), value)) {
                        victims.add(new Row(Arrays.copyOfRange(c.key(), prefix.length, c.key().length), element, value,
                                c.value()));
                    }
                }
            }
            if (victims.isEmpty()) {
                return new Removed(List.of(), e.size);
            }
            Sequence slice = new Sequence(DotMap.of(rowsOf(victims)), e.context);
            Sequence delta = slice.remove(0, Bytes.of(value), ks.clock()).delta();
            e.drop(victims, delta, changes);
            e.stage(changes);
            changes.commit();
            List<byte[]> values = new ArrayList<>(victims.size());
            victims.forEach(r -> values.add(r.value()));
            return new Removed(values, e.size);
        }
    }

    /** LTRIM: keeps [start, stop] (Redis's index rules); an empty range deletes the key. Null if absent. */
    public Removed trim(int db, byte[] key, long start, long stop) {
        try (KeyLocks.Held ignored = ks.lock(db, key); Keyspace.Changes changes = ks.changes()) {
            Edit e = open(db, key, false);
            if (e == null) {
                return null;
            }
            long[] span = span(start, stop, e.size);
            List<Row> victims;
            if (span == null) {
                victims = walk(db, key, e.stored, e.ends(), true, 0, e.size);
            } else {
                victims = new ArrayList<>(walk(db, key, e.stored, e.ends(), true, 0, span[0]));
                victims.addAll(walk(db, key, e.stored, e.ends(), false, 0, e.size - 1 - span[1]));
            }
            if (victims.isEmpty()) {
                return new Removed(List.of(), e.size);
            }
            Sequence slice = new Sequence(DotMap.of(rowsOf(victims)), e.context);
            Sequence delta = slice.clear(ks.clock());
            e.drop(victims, delta, changes);
            e.stage(changes);
            changes.commit();
            List<byte[]> values = new ArrayList<>(victims.size());
            victims.forEach(r -> values.add(r.value()));
            return new Removed(values, e.size);
        }
    }

    /**
     * LMOVE/RPOPLPUSH: pops one value from an end of {@code src} and pushes it at an end of
     * {@code dst}, atomically (both keys locked, one batch). Null value when {@code src} is absent.
     * Throws WrongType if either key holds another type (the source is checked first, and a missing
     * source answers null whatever the destination holds, as Redis).
     */
    public Moved move(int db, byte[] src, byte[] dst, boolean fromLeft, boolean toLeft) {
        try (KeyLocks.Held ignored = ks.lock(db, src, dst); Keyspace.Changes changes = ks.changes()) {
            Edit from = open(db, src, false);
            if (from == null) {
                return new Moved(null, 0, 0);
            }
            boolean same = Arrays.equals(src, dst);
            Edit to = same ? from : open(db, dst, true);
            Removed popped = from.pop(1, fromLeft, changes);
            byte[] value = popped.values().get(0);
            to.push(List.of(value), toLeft, changes);
            from.stage(changes);
            if (!same) {
                to.stage(changes);
            }
            changes.commit();
            return new Moved(value, from.size, to.size);
        }
    }

    // ------------------------------------------------------------------ replication

    /** The whole stored list as a Sequence (tests, replication repair). */
    public Sequence state(int db, byte[] key) {
        Metadata m = list(db, key);
        if (m == null) {
            return Sequence.EMPTY;
        }
        SortedMap<Position, DotFun<Contribution>> rows = new TreeMap<>();
        byte[] prefix = KeyCodec.subPrefix(db, key, m.version());
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (c.seekToFirst(); c.valid(); c.next()) {
                rows.put(Position.fromSortKey(Arrays.copyOfRange(c.key(), prefix.length, c.key().length)), decode(c.value()));
            }
        }
        return new Sequence(DotMap.of(rows), context(m));
    }

    // ------------------------------------------------------------------ one key being changed

    /** The stored state of one list as a command changes it; staged into one Changes at the end. */
    private final class Edit {
        final int db;
        final byte[] key;
        final Metadata stored;
        /** The tombstone a new list continues (null when the list exists, or when there is none). */
        final Metadata prior;
        final long version;
        CausalContext context;
        private RowWriter writer;
        /** What {@link #pop} read beyond the rows it took, from the new end on. */
        EndRows ahead;
        long size;
        byte[] head;
        byte[] tail;
        long listpackBytes;
        Encoding encoding;

        Edit(int db, byte[] key, Metadata stored) {
            this.db = db;
            this.key = key;
            this.stored = stored;
            this.prior = stored == null ? ElementRows.prior(ks, db, key) : null;
            if (stored == null) {
                version = ks.stamp().time();
                context = RowReplica.context(prior);
                listpackBytes = LISTPACK_EMPTY_BYTES;
                encoding = Encoding.LISTPACK;
            } else {
                version = stored.version();
                context = ListStore.context(stored);
                size = stored.size();
                Ends ends = Ends.decode(stored.payload());
                head = ends.head();
                tail = ends.tail();
                listpackBytes = ends.listpackBytes();
                encoding = stored.encoding();
            }
        }

        Ends ends() {
            return new Ends(head, tail, listpackBytes);
        }

        byte[] prefix() {
            return KeyCodec.subPrefix(db, key, version);
        }

        /** Where this edit's rows are staged: one writer per edit, so the element hash accumulates. */
        RowWriter writer(Keyspace.Changes changes) {
            if (writer == null) {
                writer = RowWriter.local(ks, changes, ValueType.LIST, db, key, version, stored == null ? 0 : stored.elementsHash());
            }
            return writer;
        }

        /** Redis 7.2 converts a listpack to a quicklist when the pushed raw bytes would pass 8 KB. */
        void appendCheck(long addedRawBytes) {
            if (encoding == Encoding.LISTPACK && listpackBytes + addedRawBytes > LISTPACK_MAX_BYTES) {
                encoding = Encoding.QUICKLIST;
            }
        }

        /** ... and back after a removal leaves at most half of it. */
        void shrinkCheck() {
            if (encoding == Encoding.QUICKLIST && listpackBytes <= LISTPACK_MAX_BYTES / 2) {
                encoding = Encoding.LISTPACK;
            }
        }

        void push(List<byte[]> values, boolean left, Keyspace.Changes changes) {
            byte[] end = left ? head : tail;
            SortedMap<Position, DotFun<Contribution>> rows = new TreeMap<>();
            if (end != null) {
                rows.put(Position.fromSortKey(end), PLACEHOLDER);
            }
            List<Bytes> items = new ArrayList<>(values.size());
            long raw = 0;
            for (byte[] v : values) {
                items.add(Bytes.of(v));
                raw += v.length;
            }
            Sequence slice = new Sequence(DotMap.of(rows), context);
            Sequence delta = left ? slice.pushLeft(items, ks.clock()) : slice.pushRight(items, ks.clock());
            appendCheck(raw);
            add(delta, changes, values);
        }

        /** Writes the rows of an inserting delta and moves the ends if it reaches past them. */
        void add(Sequence delta, Keyspace.Changes changes, List<byte[]> values) {
            Position first = null;
            Position last = null;
            for (Map.Entry<Position, DotFun<Contribution>> en : delta.store()) {
                writer(changes).write(en.getKey().sortKey(), null, ElementCodec.encodeField(en.getValue()));
                if (first == null) {
                    first = en.getKey();
                }
                last = en.getKey();
            }
            if (head == null || first.compareTo(Position.fromSortKey(head)) < 0) {
                head = first.sortKey();
            }
            if (tail == null || last.compareTo(Position.fromSortKey(tail)) > 0) {
                tail = last.sortKey();
            }
            context = context.union(delta.context());
            size += values.size();
            for (byte[] v : values) {
                listpackBytes += entryBytes(v);
            }
        }

        Removed pop(long count, boolean left, Keyspace.Changes changes) {
            long n = Math.min(count, size);
            List<Row> rows = new ArrayList<>((int) Math.min(n, 1024));
            EndRows cached = stored == null ? null : popAhead.remove(Bytes.of(prefix()));
            if (cached == null || cached.meta() != stored || cached.left() != left
                    || (cached.rows().size() <= n && !cached.whole())) {
                long want = Math.max(n + 1, POP_READ_AHEAD);
                List<Row> read = walk(db, key, version, ends(), left, 0, want);
                cached = new EndRows(null, left, new java.util.ArrayDeque<>(read), read.size() < want);
            }
            while (rows.size() < n && !cached.rows().isEmpty()) {
                rows.add(cached.rows().poll());
            }
            ahead = cached;
            Row newEnd = cached.rows().peek();
            Sequence slice = new Sequence(DotMap.of(rowsOf(rows)), context);
            Sequence.Removal removal = left ? slice.popLeft(n, ks.clock()) : slice.popRight(n, ks.clock());
            for (Row r : rows) {
                writer(changes).write(r.sortKey(), r.raw(), null);
                listpackBytes -= entryBytes(r.value());
            }
            context = context.union(removal.delta().context());
            size -= rows.size();
            if (size == 0) {
                head = null;
                tail = null;
            } else if (left) {
                head = newEnd.sortKey();
            } else {
                tail = newEnd.sortKey();
            }
            shrinkCheck();
            List<byte[]> values = new ArrayList<>(rows.size());
            removal.values().forEach(b -> values.add(b.toByteArray()));
            return new Removed(values, size);
        }

        /** Deletes {@code victims} (already covered by {@code delta}) and finds the new ends if they went. */
        void drop(List<Row> victims, Sequence delta, Keyspace.Changes changes) {
            Set<ByteBuffer> gone = new HashSet<>();
            for (Row r : victims) {
                writer(changes).write(r.sortKey(), r.raw(), null);
                listpackBytes -= entryBytes(r.value());
                gone.add(ByteBuffer.wrap(r.sortKey()));
            }
            context = context.union(delta.context());
            size -= victims.size();
            if (size == 0) {
                head = null;
                tail = null;
            } else {
                if (gone.contains(ByteBuffer.wrap(head))) {
                    head = firstSurvivor(true, gone);
                }
                if (gone.contains(ByteBuffer.wrap(tail))) {
                    tail = firstSurvivor(false, gone);
                }
            }
            shrinkCheck();
        }

        private byte[] firstSurvivor(boolean fromHead, Set<ByteBuffer> gone) {
            byte[] found = survivor(prefix(), ends(), fromHead, gone);
            if (found == null) {
                throw new StoreException("list " + size + " elements long has no survivor row");
            }
            return found;
        }

        /** Stages META: size, context, ends, encoding and a new stamp, or what an emptied list leaves. */
        void stage(Keyspace.Changes changes) {
            Stamp stamp = ks.stamp();
            byte[] encodedContext = ElementCodec.encodeContext(context);
            if (size == 0) {
                if (stored != null) {
                    changes.put(db, key, stored, ElementRows.emptied(ks, ValueType.LIST, stored, stamp, encodedContext));
                }
                return;
            }
            long hash = writer == null ? stored.elementsHash() : writer.hash();
            if (writer != null) {
                writer.ship(context.last());
            }
            Metadata base = stored == null ? prior : stored;
            changes.put(db, key, base, new Metadata(ValueType.LIST, encoding, version, stamp,
                    stored == null ? 0 : stored.expireAt(), base == null ? null : base.expiryStamp(), size,
                    encodedContext, ends().encode()).withElementsHash(hash));
        }
    }

    /** Keeps the rows {@code e}'s pop read ahead for the next pop from the same end, as of the META just written. */
    private void keepAhead(int db, byte[] key, Edit e) {
        Bytes slot = Bytes.of(e.prefix());
        Metadata after = e.ahead == null ? null : list(db, key);
        if (after == null || after.version() != e.version || e.ahead.rows().isEmpty()) {
            popAhead.remove(slot);
            return;
        }
        if (popAhead.size() >= MAX_POP_CACHES) {
            popAhead.clear();
        }
        popAhead.put(slot, new EndRows(after, e.ahead.left(), e.ahead.rows(), e.ahead.whole()));
    }

    /**
     * The first (or last) row under {@code prefix} not in {@code gone}, starting at the stored end of {@code ends};
     * null if every row is gone.
     */
    private byte[] survivor(byte[] prefix, Ends ends, boolean fromHead, Set<ByteBuffer> gone) {
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            startAt(c, prefix, ends, fromHead);
            for (; c.valid(); step(c, fromHead)) {
                byte[] sortKey = Arrays.copyOfRange(c.key(), prefix.length, c.key().length);
                if (!gone.contains(ByteBuffer.wrap(sortKey))) {
                    return sortKey;
                }
            }
        }
        return null;
    }

    /** Merges other replicas' list deltas: rows are an element's contributions under its position. */
    private final class Replica extends RowReplica.Fields {

        Replica(Keyspace ks) {
            super(ks, ValueType.LIST);
        }

        @Override
        Bookkeeping begin(Keyspace.Changes changes, Metadata live, byte[] prefix) {
            Ends stored = live == null ? new Ends(null, null, LISTPACK_EMPTY_BYTES) : Ends.decode(live.payload());
            Set<ByteBuffer> gone = new HashSet<>();
            return new Bookkeeping() {
                byte[] first;
                byte[] last;
                long bytes = stored.listpackBytes();

                @Override
                public void row(byte[] name, byte[] before, byte[] after) {
                    if (before != null) {
                        bytes -= entryBytes(valueOf(ListStore.decode(before)));
                    }
                    if (after == null) {
                        gone.add(ByteBuffer.wrap(name));
                        return;
                    }
                    bytes += entryBytes(valueOf(ListStore.decode(after)));
                    if (before == null) {
                        first = first == null || Arrays.compareUnsigned(name, first) < 0 ? name : first;
                        last = last == null || Arrays.compareUnsigned(name, last) > 0 ? name : last;
                    }
                }

                @Override
                public Metadata finish(Metadata meta) {
                    byte[] head = end(stored.head(), true, first);
                    byte[] tail = end(stored.tail(), false, last);
                    Encoding encoding = bytes > LISTPACK_MAX_BYTES ? Encoding.QUICKLIST
                            : live == null || bytes <= LISTPACK_MAX_BYTES / 2 ? Encoding.LISTPACK : live.encoding();
                    return reshaped(meta, encoding, new Ends(head, tail, bytes).encode());
                }

                /** The new head (tail): the stored one or its first survivor, or an added row beyond it. */
                private byte[] end(byte[] end, boolean head, byte[] added) {
                    byte[] kept = end != null && !gone.contains(ByteBuffer.wrap(end)) ? end
                            : live == null ? null : survivor(prefix, stored, head, gone);
                    if (kept == null || added == null) {
                        return kept == null ? added : kept;
                    }
                    int c = Arrays.compareUnsigned(added, kept);
                    return head == c < 0 ? added : kept;
                }
            };
        }
    }

    /** Opens the list at key for a change: null if absent and not {@code create}; WrongType if not a list. */
    private Edit open(int db, byte[] key, boolean create) {
        Metadata m = list(db, key);
        if (m == null && !create) {
            return null;
        }
        return new Edit(db, key, m);
    }

    // ------------------------------------------------------------------ rows

    /** One element row: its sort key (the sub-key suffix), decoded contributions, value and stored bytes. */
    record Row(byte[] sortKey, DotFun<Contribution> element, byte[] value, byte[] raw) {
        Position position() {
            return Position.fromSortKey(sortKey);
        }
    }

    private Metadata list(int db, byte[] key) {
        Metadata m = ks.read(db, key);
        if (m != null && m.tombstone()) {
            return null;
        }
        if (m != null && m.type() != ValueType.LIST) {
            throw new WrongType();
        }
        return m;
    }

    /** The row at {@code index} (negative from the tail), walking from the nearer end; null if none. */
    private Row rowAt(int db, byte[] key, Metadata m, long index) {
        long size = m.size();
        long i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            return null;
        }
        Ends ends = Ends.decode(m.payload());
        List<Row> rows = i <= size - 1 - i ? walk(db, key, m, ends, true, i, 1) : walk(db, key, m, ends, false, size - 1 - i, 1);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private List<Row> walk(int db, byte[] key, Metadata m, Ends ends, boolean fromHead, long skip, long take) {
        return walk(db, key, m.version(), ends, fromHead, skip, take);
    }

    /** Skips {@code skip} rows from one end, then reads up to {@code take} rows in that direction. */
    private List<Row> walk(int db, byte[] key, long version, Ends ends, boolean fromHead, long skip, long take) {
        List<Row> out = new ArrayList<>((int) Math.min(take, 1024));
        if (take <= 0) {
            return out;
        }
        byte[] prefix = KeyCodec.subPrefix(db, key, version);
        try (Engine.Cursor c = ks.engine().iterate(ColumnFamily.SUB, fromHead && ends.head() != null
                ? KeyCodec.sub(db, key, version, ends.head()) : prefix, KeyCodec.prefixEnd(prefix))) {
            if (!fromHead) {
                startAt(c, prefix, ends, false);
            }
            for (long i = 0; i < skip && c.valid(); i++) {
                step(c, fromHead);
            }
            for (; c.valid() && out.size() < take; step(c, fromHead)) {
                out.add(row(prefix, c));
            }
        }
        return out;
    }

    /** Puts the cursor on the first (or last) live row: the ends in META skip the markers of old pops. */
    private static void startAt(Engine.Cursor c, byte[] prefix, Ends ends, boolean fromHead) {
        byte[] end = fromHead ? ends.head() : ends.tail();
        if (end == null) {
            if (fromHead) {
                c.seekToFirst();
            } else {
                c.seekToLast();
            }
            return;
        }
        byte[] k = Arrays.copyOf(prefix, prefix.length + end.length);
        System.arraycopy(end, 0, k, prefix.length, end.length);
        if (fromHead) {
            c.seek(k);
        } else {
            c.seekForPrev(k);
        }
    }

    private static void step(Engine.Cursor c, boolean forward) {
        if (forward) {
            c.next();
        } else {
            c.prev();
        }
    }

    private static Row row(byte[] prefix, Engine.Cursor c) {
        byte[] k = c.key();
        DotFun<Contribution> element = decode(c.value());
        return new Row(Arrays.copyOfRange(k, prefix.length, k.length), element, valueOf(element), c.value());
    }

    private static SortedMap<Position, DotFun<Contribution>> rowsOf(List<Row> rows) {
        SortedMap<Position, DotFun<Contribution>> out = new TreeMap<>();
        for (Row r : rows) {
            out.put(r.position(), r.element());
        }
        return out;
    }

    private static SortedMap<Position, DotFun<Contribution>> single(Position p, DotFun<Contribution> element) {
        SortedMap<Position, DotFun<Contribution>> out = new TreeMap<>();
        out.put(p, element);
        return out;
    }

    private static DotFun<Contribution> decode(byte[] value) {
        try {
            return ElementCodec.decodeField(value);
        } catch (CodecException e) {
            throw new StoreException("corrupt list element: " + e.getMessage());
        }
    }

    private static CausalContext context(Metadata m) {
        return RowReplica.context(m);
    }

    /** An element's value: its highest-stamped assignment (as {@link Sequence} reads it). */
    static byte[] valueOf(DotFun<Contribution> element) {
        Contribution.Assign best = null;
        for (Map.Entry<Dot, Contribution> e : element) {
            if (e.getValue() instanceof Contribution.Assign a && (best == null || a.compareTo(best) > 0)) {
                best = a;
            }
        }
        return best == null ? new byte[0] : best.value().toByteArray();
    }

    // ------------------------------------------------------------------ sizes and ranges

    /**
     * The bytes one entry takes in a Redis listpack: integers in canonical form use 1..9 bytes,
     * strings a 1, 2 or 5 byte header; plus the back-length (1..5 bytes).
     */
    static long entryBytes(byte[] v) {
        long enc;
        Long n = Numbers.parseLong(v);
        if (n != null) {
            long x = n;
            if (x >= 0 && x <= 127) {
                enc = 1;
            } else if (x >= -4096 && x <= 4095) {
                enc = 2;
            } else if (x >= -32768 && x <= 32767) {
                enc = 3;
            } else if (x >= -8388608 && x <= 8388607) {
                enc = 4;
            } else if (x >= Integer.MIN_VALUE && x <= Integer.MAX_VALUE) {
                enc = 5;
            } else {
                enc = 9;
            }
        } else if (v.length < 64) {
            enc = 1 + v.length;
        } else if (v.length < 4096) {
            enc = 2 + v.length;
        } else {
            enc = 5 + (long) v.length;
        }
        long back = enc <= 127 ? 1 : enc < 16383 ? 2 : enc < 2097151 ? 3 : enc < 268435455 ? 4 : 5;
        return enc + back;
    }

    /** Redis's LRANGE/LTRIM normalisation: the inclusive [from, to] inside [0, size), or null if empty. */
    static long[] span(long start, long stop, long size) {
        if (start < 0) {
            start = Math.max(0, start + size);
        }
        if (stop < 0) {
            stop = stop + size;
        }
        if (stop >= size) {
            stop = size - 1;
        }
        if (start > stop || start >= size) {
            return null;
        }
        return new long[] {start, stop};
    }

    /** The META payload of a list. */
    record Ends(byte[] head, byte[] tail, long listpackBytes) {
        byte[] encode() {
            int h = head == null ? 0 : head.length;
            int t = tail == null ? 0 : tail.length;
            ByteBuffer b = ByteBuffer.allocate(2 + h + 2 + t + 8);
            b.putShort((short) h);
            if (head != null) {
                b.put(head);
            }
            b.putShort((short) t);
            if (tail != null) {
                b.put(tail);
            }
            return b.putLong(listpackBytes).array();
        }

        static Ends decode(byte[] payload) {
            if (payload.length < 12) {
                throw new StoreException("list metadata payload too short: " + payload.length + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(payload);
            byte[] head = new byte[b.getShort() & 0xFFFF];
            b.get(head);
            byte[] tail = new byte[b.getShort() & 0xFFFF];
            b.get(tail);
            long bytes = b.getLong();
            return new Ends(head.length == 0 ? null : head, tail.length == 0 ? null : tail, bytes);
        }
    }
}
