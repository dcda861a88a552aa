package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.CodecException;
import io.hyperkv.crdt.DotFun;
import io.hyperkv.crdt.DotMap;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.OrSet;
import io.hyperkv.crdt.Stamp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis sets on the element rows of {@code store/package-info.java}: META (type set, size =
 * SCARD, context = the {@link OrSet}'s causal context) and one {@code sub} row
 * {@code P | member → ElementCodec.encodeMember(dots)} per member, where {@code P} is
 * {@link KeyCodec#subPrefix} of the key's version.
 *
 * <p>Every write builds a slice of the OR-set (the rows it touches plus the stored context), runs
 * the {@link OrSet} mutator on it, merges the delta into the slice and stages, in one
 * {@link Keyspace.Changes} batch, the touched rows that changed (written, or deleted when the
 * member is gone) through a {@link RowWriter} (which keeps the element hash and names the rows for
 * replication) and META (size, context, stamp, encoding). A set emptied by a write loses its META,
 * or leaves a tombstone with its context while replicating ({@link ElementRows#emptied}); a set
 * created over a tombstone continues its context. Writes that Redis reports as no change (SADD of a
 * member present, SREM of a member absent) write nothing. Deltas from other replicas are merged by
 * the {@link RowReplica} this store registers with the keyspace.
 *
 * <p>Callers of the write methods hold the key's lock ({@link Keyspace#lock}) and pass the live
 * metadata they read under it ({@link Keyspace#read}, null if absent), already checked to be a
 * set.
 *
 * <p>OBJECT ENCODING follows Redis 7.2 and is computed on writes: a set only of integers (Redis's
 * {@code string2ll}) with at most {@value #MAX_INTSET_ENTRIES} members is {@code intset}; one with
 * at most {@value #MAX_LISTPACK_ENTRIES} members of at most {@value #MAX_LISTPACK_VALUE} bytes is
 * {@code listpack}; anything else {@code hashtable}. As in Redis an encoding only ever grows
 * (intset → listpack → hashtable): removals never convert back.
 */
public final class SetStore {

    public static final int MAX_INTSET_ENTRIES = 512;
    public static final int MAX_LISTPACK_ENTRIES = 128;
    public static final int MAX_LISTPACK_VALUE = 64;
    /** Below this size a distinct random sample reads every row instead of seeking at random. */
    private static final int SAMPLE_BY_READING_ALL = 1024;

    private final Keyspace ks;
    private final Engine engine;
    /** Sets with a pop frontier kept at once; beyond it the table is simply cleared. */
    private static final int MAX_POP_FRONTIERS = 4096;
    private static final int POP_READ_AHEAD = 32;
    /** Per set version (its sub-key prefix): where SPOP continues, see {@link PopFrontier}. */
    private final Map<Bytes, PopFrontier> frontiers = new ConcurrentHashMap<>();

    public SetStore(Keyspace ks) {
        this.ks = ks;
        this.engine = ks.engine();
        ks.collections(ValueType.SET, new Replica(ks));
    }

    // ---------------------------------------------------------------- reads

    public boolean contains(int db, byte[] key, Metadata live, byte[] member) {
        return engine.get(ColumnFamily.SUB, KeyCodec.sub(db, key, live.version(), member)) != null;
    }

    /** Every member, in byte order. */
    public List<byte[]> members(int db, byte[] key, Metadata live) {
        List<byte[]> out = new ArrayList<>((int) Math.min(live.size(), 1 << 16));
        byte[] prefix = KeyCodec.subPrefix(db, key, live.version());
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                out.add(ElementRows.element(c.key(), prefix.length));
            }
        }
        return out;
    }

    /** One random member, or null for an empty set (not uniform, see {@link ElementRows}). */
    public byte[] random(int db, byte[] key, Metadata live) {
        byte[] prefix = KeyCodec.subPrefix(db, key, live.version());
        byte[][] row = ElementRows.random(engine, prefix, v -> true);
        return row == null ? null : ElementRows.element(row[0], prefix.length);
    }

    /** {@code count} distinct members (all of them when the set is not larger), in no useful order. */
    public List<byte[]> randomDistinct(int db, byte[] key, Metadata live, long count) {
        if (count >= live.size()) {
            return members(db, key, live);
        }
        if (live.size() <= SAMPLE_BY_READING_ALL || count * 3 >= live.size()) {
            List<byte[]> all = members(db, key, live);
            Collections.shuffle(all, ThreadLocalRandom.current());
            return new ArrayList<>(all.subList(0, (int) count));
        }
        Map<Bytes, byte[]> picked = new LinkedHashMap<>();
        for (long attempts = 0; picked.size() < count && attempts < count * 20 + 100; attempts++) {
            byte[] m = random(db, key, live);
            if (m != null) {
                picked.putIfAbsent(Bytes.of(m), m);
            }
        }
        if (picked.size() < count) {
            List<byte[]> all = members(db, key, live);
            Collections.shuffle(all, ThreadLocalRandom.current());
            return new ArrayList<>(all.subList(0, (int) count));
        }
        return new ArrayList<>(picked.values());
    }

    /** {@code count} members picked independently (repeats possible), as SRANDMEMBER with a negative count. */
    public List<byte[]> randomWithRepeats(int db, byte[] key, Metadata live, long count) {
        List<byte[]> out = new ArrayList<>((int) Math.min(count, 1 << 16));
        if (live.size() <= SAMPLE_BY_READING_ALL) {
            List<byte[]> all = members(db, key, live);
            for (long i = 0; i < count && !all.isEmpty(); i++) {
                out.add(all.get(ThreadLocalRandom.current().nextInt(all.size())));
            }
            return out;
        }
        for (long i = 0; i < count; i++) {
            byte[] m = random(db, key, live);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    /** One page of SSCAN: small encodings answer whole (cursor 0), as Redis does. */
    public ElementPage scan(int db, byte[] key, Metadata live, long cursor, long count, Glob match) {
        byte[] prefix = KeyCodec.subPrefix(db, key, live.version());
        boolean whole = live.encoding() != Encoding.HASHTABLE;
        byte[] from = whole ? prefix : ElementRows.resume(cursor, prefix);
        List<byte[]> out = new ArrayList<>();
        long visited = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (c.seek(from); c.valid(); c.next()) {
                if (!whole && visited >= count) {
                    return new ElementPage(ElementRows.saveCursor(c.key()), out);
                }
                visited++;
                byte[] m = ElementRows.element(c.key(), prefix.length);
                if (match == null || match.matchesAll() || match.matches(m)) {
                    out.add(m);
                }
            }
        }
        return new ElementPage(0, out);
    }

    /** A scan page: the cursor to continue with (0 when done) and the elements (for hashes field, value, ...). */
    public record ElementPage(long cursor, List<byte[]> elements) {}

    // ---------------------------------------------------------------- writes (caller holds the key's lock)

    /**
     * SADD: the number of members that were not in the set. On a single node a member already present is left as it
     * is (Redis writes nothing). While replicating it is re-added under a fresh dot, which replaces the dots it had:
     * add-wins (DESIGN.md), so an SREM of it on another replica, concurrent with this SADD, removes only the dots that
     * replica saw and the member stays.
     */
    public int add(int db, byte[] key, Metadata live, List<byte[]> members) {
        boolean readd = live != null && ks.replicating();
        SortedMap<Bytes, DotFun<Boolean>> present = readd ? rows(db, key, live, members) : new TreeMap<>();
        SortedSet<Bytes> missing = new TreeSet<>();
        for (byte[] m : members) {
            Bytes b = Bytes.of(m);
            if (live == null || (readd ? !present.containsKey(b) : !contains(db, key, live, m))) {
                missing.add(b);
            }
        }
        if (missing.isEmpty() && present.isEmpty()) {
            return 0;
        }
        Stamp stamp = ks.stamp();
        Metadata prior = live == null ? ElementRows.prior(ks, db, key) : null;
        OrSet slice = new OrSet(DotMap.of(present), context(live == null ? prior : live));
        SortedSet<Bytes> adding = new TreeSet<>(missing);
        adding.addAll(present.keySet());
        OrSet delta = slice.add(adding, ks.clock());
        try (Keyspace.Changes changes = ks.changes()) {
            stage(changes, db, key, live, prior, stamp, slice, delta, grow(live, missing));
            changes.commit();
        }
        return missing.size();
    }

    /** SREM: the number of members removed. */
    public int remove(int db, byte[] key, Metadata live, Collection<byte[]> members) {
        if (live == null) {
            return 0;
        }
        SortedMap<Bytes, DotFun<Boolean>> rows = rows(db, key, live, members);
        if (rows.isEmpty()) {
            return 0;
        }
        removeRows(db, key, live, rows);
        return rows.size();
    }

    /** SPOP without count: a random member, removed; null for a missing key. */
    public byte[] pop(int db, byte[] key, Metadata live) {
        if (live == null) {
            return null;
        }
        byte[] prefix = KeyCodec.subPrefix(db, key, live.version());
        Bytes slot = Bytes.of(prefix);
        PopFrontier frontier = frontiers.get(slot);
        byte[][] row;
        ArrayDeque<byte[][]> ahead;
        if (frontier != null && frontier.meta() == live) {
            ahead = frontier.ahead();
            if (ahead.isEmpty()) {
                readAhead(ahead, frontier.lastPopped(), prefix);
            }
            if (ahead.isEmpty()) {
                // the end of the set: on from its first row
                readAhead(ahead, null, prefix);
            }
            row = ahead.poll();
        } else {
            row = ElementRows.random(engine, prefix, v -> true);
            ahead = new ArrayDeque<>();
        }
        if (row == null) {
            frontiers.remove(slot);
            return null;
        }
        byte[] member = ElementRows.element(row[0], prefix.length);
        SortedMap<Bytes, DotFun<Boolean>> rows = new TreeMap<>();
        rows.put(Bytes.of(member), decode(row[1]));
        removeRows(db, key, live, rows);
        Metadata after = ks.read(db, key);
        if (after == null || after.version() != live.version()) {
            frontiers.remove(slot);
        } else {
            if (frontiers.size() >= MAX_POP_FRONTIERS) {
                frontiers.clear();
            }
            frontiers.put(slot, new PopFrontier(after, row[0], ahead));
        }
        return member;
    }

    /** Reads up to {@value #POP_READ_AHEAD} rows under {@code prefix} after {@code subKey} (null: from the first). */
    private void readAhead(ArrayDeque<byte[][]> ahead, byte[] subKey, byte[] prefix) {
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, subKey == null ? prefix : subKey, KeyCodec.prefixEnd(prefix))) {
            if (subKey != null && c.valid() && Arrays.equals(c.key(), subKey)) {
                c.next();
            }
            for (; c.valid() && ahead.size() < POP_READ_AHEAD; c.next()) {
                ahead.add(new byte[][] {c.key(), c.value()});
            }
        }
    }

    /**
     * Where the last SPOP of a set stopped and the rows after it, read ahead, valid while the set's META is still the
     * very object that pop wrote ({@code meta}, compared by identity: every write of the set's rows, local or merged,
     * writes a new META object, and an evicted and reloaded META is another object too), so the rows read ahead are
     * still the stored ones. Why: a pop that seeks to a random point lands ever more often in a run of the delete
     * tombstones earlier pops left, and RocksDB steps over each of them (the classic queue problem), so draining a set
     * costs O(n^2); continuing after the last popped row steps over none, and reading {@value #POP_READ_AHEAD} rows
     * at a time saves opening an iterator per pop. The price: a run of pops with no other write in between returns
     * members in byte order from a random start, wrapping at the end (Redis picks each at random; a documented
     * difference).
     */
    private record PopFrontier(Metadata meta, byte[] lastPopped, ArrayDeque<byte[][]> ahead) {}

    /** SPOP with count: up to {@code count} distinct random members, removed. */
    public List<byte[]> pop(int db, byte[] key, Metadata live, long count) {
        if (live == null || count == 0) {
            return List.of();
        }
        List<byte[]> picked = randomDistinct(db, key, live, count);
        remove(db, key, live, picked);
        return picked;
    }

    /** What SMOVE did. */
    public enum Moved { NOT_IN_SOURCE, ALREADY_IN_DESTINATION, ADDED }

    /**
     * SMOVE between two different keys, both locked by the caller. The removal from src and the
     * add to dst (if dst lacks the member) are one batch.
     */
    public Moved move(int db, byte[] src, Metadata srcLive, byte[] dst, Metadata dstLive, byte[] member) {
        if (srcLive == null) {
            return Moved.NOT_IN_SOURCE;
        }
        SortedMap<Bytes, DotFun<Boolean>> rows = rows(db, src, srcLive, List.of(member));
        if (rows.isEmpty()) {
            return Moved.NOT_IN_SOURCE;
        }
        Bytes m = Bytes.of(member);
        Stamp stamp = ks.stamp();
        OrSet srcSlice = new OrSet(DotMap.of(rows), context(srcLive));
        OrSet srcDelta = srcSlice.remove(rows.keySet(), ks.clock());
        boolean add = dstLive == null || !contains(db, dst, dstLive, member);
        Metadata dstPrior = dstLive == null ? ElementRows.prior(ks, db, dst) : null;
        OrSet dstSlice = new OrSet(DotMap.empty(), context(dstLive == null ? dstPrior : dstLive));
        OrSet dstDelta = add ? dstSlice.add(m, ks.clock()) : null;
        try (Keyspace.Changes changes = ks.changes()) {
            stage(changes, db, src, srcLive, null, stamp, srcSlice, srcDelta, srcLive.encoding());
            if (add) {
                stage(changes, db, dst, dstLive, dstPrior, stamp, dstSlice, dstDelta, grow(dstLive, List.of(m)));
            }
            changes.commit();
        }
        return add ? Moved.ADDED : Moved.ALREADY_IN_DESTINATION;
    }

    /**
     * SINTERSTORE, SUNIONSTORE, SDIFFSTORE: makes {@code dst} (locked by the caller; {@code dstStored}
     * its metadata, any type, or null) a new set of {@code members} under a new version, in one
     * batch; an empty result deletes dst. Returns the new size.
     */
    public long replace(int db, byte[] dst, Metadata dstStored, Collection<byte[]> members) {
        SortedSet<Bytes> all = new TreeSet<>();
        for (byte[] m : members) {
            all.add(Bytes.of(m));
        }
        Stamp stamp = ks.stamp();
        CausalContext continued = context(ElementRows.continued(ValueType.SET, dstStored));
        try (Keyspace.Changes changes = ks.changes()) {
            if (all.isEmpty()) {
                changes.put(db, dst, dstStored, ElementRows.deleted(ks, dstStored, stamp, continued)).commit();
                return 0;
            }
            OrSet slice = new OrSet(DotMap.empty(), continued);
            OrSet result = slice.merge(slice.add(all, ks.clock()));
            RowWriter rows = RowWriter.local(ks, changes, ValueType.SET, db, dst, stamp.time(), 0);
            for (Map.Entry<Bytes, DotFun<Boolean>> e : result.store()) {
                rows.write(e.getKey().toByteArray(), null, ElementCodec.encodeMember(e.getValue()));
            }
            rows.dropped(engine, dstStored, all);
            rows.ship(result.context().last());
            changes.put(db, dst, dstStored, ElementRows.replaced(ValueType.SET, dstStored, encodingOf(all), stamp,
                    all.size(), ElementCodec.encodeContext(result.context()), rows.hash())).commit();
        }
        return all.size();
    }

    // ---------------------------------------------------------------- internals

    private void removeRows(int db, byte[] key, Metadata live, SortedMap<Bytes, DotFun<Boolean>> rows) {
        OrSet slice = new OrSet(DotMap.of(rows), context(live));
        OrSet delta = slice.remove(rows.keySet(), ks.clock());
        try (Keyspace.Changes changes = ks.changes()) {
            stage(changes, db, key, live, null, ks.stamp(), slice, delta, live.encoding());
            changes.commit();
        }
    }

    /**
     * Stages slice ⊔ delta: the touched rows that changed, and META (or what an emptied set leaves). A new set
     * ({@code live} null) replaces {@code prior}, the tombstone it continues, if any.
     */
    private void stage(Keyspace.Changes changes, int db, byte[] key, Metadata live, Metadata prior, Stamp stamp,
            OrSet slice, OrSet delta, Encoding encoding) {
        OrSet result = slice.merge(delta);
        long version = live == null ? stamp.time() : live.version();
        long size = live == null ? 0 : live.size();
        RowWriter rows = RowWriter.local(ks, changes, ValueType.SET, db, key, version, live == null ? 0 : live.elementsHash());
        SortedSet<Bytes> touched = new TreeSet<>();
        slice.store().keys().forEach(touched::add);
        delta.store().keys().forEach(touched::add);
        for (Bytes m : touched) {
            DotFun<Boolean> before = slice.store().get(m);
            DotFun<Boolean> after = result.store().get(m);
            if (after.equals(before)) {
                continue;
            }
            rows.write(m.toByteArray(), before.isEmpty() ? null : ElementCodec.encodeMember(before),
                    after.isEmpty() ? null : ElementCodec.encodeMember(after));
            size += (after.isEmpty() ? 0 : 1) - (before.isEmpty() ? 0 : 1);
        }
        rows.ship(result.context().last());
        changes.put(db, key, live == null ? prior : live, ElementRows.updated(ks, ValueType.SET, live, prior, encoding, stamp,
                size, ElementCodec.encodeContext(result.context()), rows.hash()));
    }

    /** Merges other replicas' set deltas: rows are a member's add dots. */
    private final class Replica extends RowReplica<Boolean> {

        Replica(Keyspace ks) {
            super(ks, ValueType.SET);
        }

        @Override
        DotFun<Boolean> decode(byte[] row) throws CodecException {
            return ElementCodec.decodeMember(row);
        }

        @Override
        byte[] encode(DotFun<Boolean> dots) {
            return ElementCodec.encodeMember(dots);
        }

        @Override
        Bookkeeping begin(Keyspace.Changes changes, Metadata live, byte[] prefix) {
            List<Bytes> added = new ArrayList<>();
            return new Bookkeeping() {
                @Override
                public void row(byte[] name, byte[] before, byte[] after) {
                    if (before == null) {
                        added.add(Bytes.of(name));
                    }
                }

                @Override
                public Metadata finish(Metadata meta) {
                    return reshaped(meta, grow(live, added), null);
                }
            };
        }
    }

    private SortedMap<Bytes, DotFun<Boolean>> rows(int db, byte[] key, Metadata live, Collection<byte[]> members) {
        SortedMap<Bytes, DotFun<Boolean>> rows = new TreeMap<>();
        for (byte[] m : members) {
            byte[] raw = engine.get(ColumnFamily.SUB, KeyCodec.sub(db, key, live.version(), m));
            if (raw != null) {
                rows.put(Bytes.of(m), decode(raw));
            }
        }
        return rows;
    }

    private static CausalContext context(Metadata meta) {
        return RowReplica.context(meta);
    }

    private static DotFun<Boolean> decode(byte[] raw) {
        try {
            return ElementCodec.decodeMember(raw);
        } catch (CodecException e) {
            throw new StoreException("corrupt set member row: " + e.getMessage(), e);
        }
    }

    /** The encoding after {@code added} (all new) join the set {@code live} (null: a new set), by Redis 7.2's conversions. */
    private static Encoding grow(Metadata live, Collection<Bytes> added) {
        long size = (live == null ? 0 : live.size()) + added.size();
        Encoding current = live == null ? Encoding.INTSET : live.encoding();
        if (current == Encoding.HASHTABLE) {
            return current;
        }
        boolean allIntegers = current == Encoding.INTSET;
        boolean allShort = true;
        for (Bytes m : added) {
            allIntegers &= isInteger(m);
            allShort &= m.length() <= MAX_LISTPACK_VALUE;
        }
        if (allIntegers) {
            return size <= MAX_INTSET_ENTRIES ? Encoding.INTSET : Encoding.HASHTABLE;
        }
        return size <= MAX_LISTPACK_ENTRIES && allShort ? Encoding.LISTPACK : Encoding.HASHTABLE;
    }

    /** The encoding of a set built from nothing (the *STORE commands start from an empty intset). */
    static Encoding encodingOf(Collection<Bytes> members) {
        return grow(null, members);
    }

    private static boolean isInteger(Bytes m) {
        return m.length() <= 20 && Numbers.parseLong(m.toByteArray()) != null;
    }
}
