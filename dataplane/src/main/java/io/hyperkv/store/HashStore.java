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
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Redis hashes on the element rows of {@code store/package-info.java}: META (type hash, size =
 * HLEN, context = the {@link OrMap}'s causal context) and one {@code sub} row
 * {@code P | field → ElementCodec.encodeField(contributions)} per field.
 *
 * <p>A field's row holds its register contributions: HSET, HSETNX and HINCRBYFLOAT assign (last
 * writer wins; HINCRBYFLOAT computes the new value exactly as Redis and assigns it, a documented
 * departure from DESIGN.md's counter, since a double counter would re-associate sums), HINCRBY adds
 * to a counter, HDEL removes what it has seen. A field whose row holds only {@link Contribution.Offset}s
 * (an HDEL concurrent with, or after, an HINCRBY leaves them so a concurrent increment counts only
 * what the HDEL had not seen) has no value: it is stored but not counted in {@code size} and every
 * read skips it. Writes follow {@link SetStore}'s slice path (read the touched rows and the context,
 * run the mutator, merge, stage the changed rows through a {@link RowWriter} and META in one batch;
 * an emptied hash loses its META, or leaves a tombstone while replicating, which a new hash
 * continues) and callers hold the key's lock and pass the live metadata, checked to be a hash.
 * Deltas from other replicas are merged by the {@link RowReplica} this store registers.
 *
 * <p>OBJECT ENCODING follows Redis 7.2: {@code listpack} while the hash has at most
 * {@value #MAX_LISTPACK_ENTRIES} fields and no field or value written to it was longer than
 * {@value #MAX_LISTPACK_VALUE} bytes (an HSET with more than {@value #MAX_LISTPACK_ENTRIES} pairs
 * converts at once, duplicates or not), else {@code hashtable}, which it then stays.
 */
public final class HashStore {

    /** Redis's compiled-in default (and its redis.conf's): 512, not the 128 of sorted sets. */
    public static final int MAX_LISTPACK_ENTRIES = 512;
    public static final int MAX_LISTPACK_VALUE = 64;
    private static final int SAMPLE_BY_READING_ALL = 1024;

    private final Keyspace ks;
    private final Engine engine;

    public HashStore(Keyspace ks) {
        this.ks = ks;
        this.engine = ks.engine();
        ks.collections(ValueType.HASH, new Replica(ks));
    }

    /** A field and its value, as the reads return them. */
    public record Field(byte[] field, byte[] value) {}

    // ---------------------------------------------------------------- reads

    /** The field's register as a reader sees it; empty if absent or only offsets remain. */
    public Optional<RegisterValue> register(int db, byte[] key, Metadata live, byte[] field) {
        if (live == null) {
            return Optional.empty();
        }
        byte[] raw = engine.get(ColumnFamily.SUB, KeyCodec.sub(db, key, live.version(), field));
        return raw == null ? Optional.empty() : RegisterValue.resolve(decode(raw));
    }

    /** HGET: the value, or null. */
    public byte[] get(int db, byte[] key, Metadata live, byte[] field) {
        return register(db, key, live, field).map(v -> v.bytes().toByteArray()).orElse(null);
    }

    /** Every field with a value, in byte order of the fields. */
    public List<Field> all(int db, byte[] key, Metadata live) {
        List<Field> out = new ArrayList<>((int) Math.min(live.size(), 1 << 16));
        byte[] prefix = KeyCodec.subPrefix(db, key, live.version());
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (; c.valid(); c.next()) {
                Optional<RegisterValue> v = RegisterValue.resolve(decode(c.value()));
                if (v.isPresent()) {
                    out.add(new Field(ElementRows.element(c.key(), prefix.length), v.get().bytes().toByteArray()));
                }
            }
        }
        return out;
    }

    /** A random field with a value, or null (not uniform, see {@link ElementRows}). */
    public Field random(int db, byte[] key, Metadata live) {
        byte[] prefix = KeyCodec.subPrefix(db, key, live.version());
        byte[][] row = ElementRows.random(engine, prefix, v -> RegisterValue.resolve(decode(v)).isPresent());
        if (row == null) {
            List<Field> all = all(db, key, live);
            return all.isEmpty() ? null : all.get(ThreadLocalRandom.current().nextInt(all.size()));
        }
        return new Field(ElementRows.element(row[0], prefix.length),
                RegisterValue.resolve(decode(row[1])).orElseThrow().bytes().toByteArray());
    }

    /** {@code count} distinct fields (all when the hash is not larger). */
    public List<Field> randomDistinct(int db, byte[] key, Metadata live, long count) {
        if (count >= live.size() || live.size() <= SAMPLE_BY_READING_ALL || count * 3 >= live.size()) {
            List<Field> all = all(db, key, live);
            if (count >= all.size()) {
                return all;
            }
            Collections.shuffle(all, ThreadLocalRandom.current());
            return new ArrayList<>(all.subList(0, (int) count));
        }
        Map<Bytes, Field> picked = new java.util.LinkedHashMap<>();
        for (long attempts = 0; picked.size() < count && attempts < count * 20 + 100; attempts++) {
            Field f = random(db, key, live);
            if (f != null) {
                picked.putIfAbsent(Bytes.of(f.field()), f);
            }
        }
        if (picked.size() < count) {
            // the picks kept landing on the same fields: sample from all of them instead
            List<Field> all = all(db, key, live);
            Collections.shuffle(all, ThreadLocalRandom.current());
            return new ArrayList<>(all.subList(0, (int) Math.min(count, all.size())));
        }
        return new ArrayList<>(picked.values());
    }

    /** {@code count} fields picked independently (repeats possible). */
    public List<Field> randomWithRepeats(int db, byte[] key, Metadata live, long count) {
        List<Field> out = new ArrayList<>((int) Math.min(count, 1 << 16));
        if (live.size() <= SAMPLE_BY_READING_ALL) {
            List<Field> all = all(db, key, live);
            for (long i = 0; i < count && !all.isEmpty(); i++) {
                out.add(all.get(ThreadLocalRandom.current().nextInt(all.size())));
            }
            return out;
        }
        for (long i = 0; i < count; i++) {
            Field f = random(db, key, live);
            if (f != null) {
                out.add(f);
            }
        }
        return out;
    }

    /** One page of HSCAN (elements are field, value, field, value...); listpack hashes answer whole, as Redis. */
    public SetStore.ElementPage scan(int db, byte[] key, Metadata live, long cursor, long count, Glob match) {
        byte[] prefix = KeyCodec.subPrefix(db, key, live.version());
        boolean whole = live.encoding() != Encoding.HASHTABLE;
        byte[] from = whole ? prefix : ElementRows.resume(cursor, prefix);
        List<byte[]> out = new ArrayList<>();
        long visited = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            for (c.seek(from); c.valid(); c.next()) {
                if (!whole && visited >= count) {
                    return new SetStore.ElementPage(ElementRows.saveCursor(c.key()), out);
                }
                Optional<RegisterValue> v = RegisterValue.resolve(decode(c.value()));
                if (v.isEmpty()) {
                    continue;
                }
                visited++;
                byte[] f = ElementRows.element(c.key(), prefix.length);
                if (match == null || match.matchesAll() || match.matches(f)) {
                    out.add(f);
                    out.add(v.get().bytes().toByteArray());
                }
            }
        }
        return new SetStore.ElementPage(0, out);
    }

    // ---------------------------------------------------------------- writes (caller holds the key's lock)

    /**
     * HSET/HMSET/HSETNX/HINCRBYFLOAT: assigns every pair (a later duplicate field wins, as in Redis);
     * {@code pairsGiven} is how many pairs the command carried (Redis converts to hashtable above
     * {@value #MAX_LISTPACK_ENTRIES}). Returns the number of fields that had no value before.
     */
    public int put(int db, byte[] key, Metadata live, Map<Bytes, Bytes> pairs, int pairsGiven) {
        SortedMap<Bytes, DotFun<Contribution>> rows = rows(db, key, live, pairs.keySet());
        if (unchanged(live, rows, pairs, pairsGiven)) {
            // the hash would read the same afterwards: Redis still counts it as a write (WATCH, dirty)
            ks.touched(db, key);
            return 0;
        }
        Metadata prior = live == null ? ElementRows.prior(ks, db, key) : null;
        OrMap slice = new OrMap(DotMap.of(rows), context(live == null ? prior : live));
        int created = 0;
        for (Bytes f : pairs.keySet()) {
            if (!slice.containsKey(f)) {
                created++;
            }
        }
        Stamp stamp = ks.stamp();
        OrMap delta = slice.put(pairs, ks.clock());
        commit(db, key, live, prior, stamp, slice, delta, grow(live, slice, delta, pairs, pairsGiven), pairs.keySet());
        return created;
    }

    /**
     * Whether assigning {@code pairs} to the stored {@code rows} leaves the hash as it is, so that a single node need
     * not write it: every field holds exactly one contribution, an assignment of the same value, and the encoding
     * would not change. Never while replicating: there an HSET re-assigns under a fresh dot, which wins over the
     * concurrent writes of other replicas that it has not seen (last writer wins on the stamp), as SADD re-adds.
     */
    private boolean unchanged(Metadata live, SortedMap<Bytes, DotFun<Contribution>> rows, Map<Bytes, Bytes> pairs,
            int pairsGiven) {
        if (live == null || rows.size() != pairs.size() || ks.replicating()
                || pairsGiven > MAX_LISTPACK_ENTRIES && live.encoding() != Encoding.HASHTABLE) {
            return false;
        }
        for (Map.Entry<Bytes, Bytes> e : pairs.entrySet()) {
            DotFun<Contribution> row = rows.get(e.getKey());
            if (row == null || row.size() != 1) {
                return false;
            }
            Contribution only = row.iterator().next().getValue();
            if (!(only instanceof Contribution.Assign a) || !a.value().equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** HINCRBY: adds {@code by} to the field's counter (the caller checked the value and the overflow, as Redis). */
    public void increment(int db, byte[] key, Metadata live, byte[] field, long by) {
        Bytes f = Bytes.of(field);
        SortedMap<Bytes, DotFun<Contribution>> rows = rows(db, key, live, List.of(f));
        Metadata prior = live == null ? ElementRows.prior(ks, db, key) : null;
        OrMap slice = new OrMap(DotMap.of(rows), context(live == null ? prior : live));
        Stamp stamp = ks.stamp();
        OrMap delta = slice.increment(f, by, ks.clock());
        commit(db, key, live, prior, stamp, slice, delta, grow(live, slice, delta, Map.of(f, Bytes.EMPTY), 1), List.of(f));
    }

    /** HDEL: removes the fields that have a value; returns how many. */
    public int delete(int db, byte[] key, Metadata live, Collection<byte[]> fields) {
        if (live == null) {
            return 0;
        }
        List<Bytes> names = new ArrayList<>();
        for (byte[] f : fields) {
            names.add(Bytes.of(f));
        }
        SortedMap<Bytes, DotFun<Contribution>> rows = rows(db, key, live, names);
        OrMap slice = new OrMap(DotMap.of(rows), context(live));
        SortedSet<Bytes> present = new TreeSet<>();
        for (Bytes f : rows.keySet()) {
            if (slice.containsKey(f)) {
                present.add(f);
            }
        }
        if (present.isEmpty()) {
            return 0;
        }
        OrMap delta = slice.remove(present, ks.clock());
        commit(db, key, live, null, ks.stamp(), slice, delta, live.encoding(), present);
        return present.size();
    }

    // ---------------------------------------------------------------- internals

    /**
     * Stages slice ⊔ delta in one batch: the touched rows that changed, and META with the visible size (or what an
     * emptied hash leaves). A new hash ({@code live} null) replaces {@code prior}, the tombstone it continues, if any.
     */
    private void commit(int db, byte[] key, Metadata live, Metadata prior, Stamp stamp, OrMap slice, OrMap delta,
            Encoding encoding, Collection<Bytes> fields) {
        SortedSet<Bytes> touched = new TreeSet<>(fields);
        delta.store().keys().forEach(touched::add);
        OrMap result = slice.merge(delta);
        long version = live == null ? stamp.time() : live.version();
        long size = live == null ? 0 : live.size();
        for (Bytes f : touched) {
            size += (result.containsKey(f) ? 1 : 0) - (slice.containsKey(f) ? 1 : 0);
        }
        try (Keyspace.Changes changes = ks.changes()) {
            RowWriter rows = RowWriter.local(ks, changes, ValueType.HASH, db, key, version, live == null ? 0 : live.elementsHash());
            for (Bytes f : touched) {
                DotFun<Contribution> before = slice.store().get(f);
                DotFun<Contribution> after = size <= 0 ? DotFun.empty() : result.store().get(f);
                if (!after.equals(before)) {
                    rows.write(f.toByteArray(), before.isEmpty() ? null : ElementCodec.encodeField(before),
                            after.isEmpty() ? null : ElementCodec.encodeField(after));
                }
            }
            if (size <= 0 && live != null) {
                // an emptied hash keeps no row: the fields left without a value (only removal offsets) go too
                byte[] prefix = rows.prefix();
                try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
                    for (; c.valid(); c.next()) {
                        byte[] field = ElementRows.element(c.key(), prefix.length);
                        if (!touched.contains(Bytes.of(field))) {
                            rows.write(field, c.value(), null);
                        }
                    }
                }
            }
            rows.ship(result.context().last());
            changes.put(db, key, live == null ? prior : live, ElementRows.updated(ks, ValueType.HASH, live, prior, encoding,
                    stamp, size, ElementCodec.encodeContext(result.context()), rows.hash()));
            changes.commit();
        }
    }

    /** Merges other replicas' hash deltas: rows are a field's register contributions. */
    private final class Replica extends RowReplica.Fields {

        Replica(Keyspace ks) {
            super(ks, ValueType.HASH);
        }

        @Override
        boolean visible(DotFun<Contribution> dots) {
            return RegisterValue.resolve(dots).isPresent();
        }

        @Override
        Bookkeeping begin(Keyspace.Changes changes, Metadata live, byte[] prefix) {
            boolean[] large = {live != null && live.encoding() == Encoding.HASHTABLE};
            return new Bookkeeping() {
                @Override
                public void row(byte[] name, byte[] before, byte[] after) {
                    if (after != null && !large[0]) {
                        Optional<RegisterValue> v = RegisterValue.resolve(HashStore.decode(after));
                        large[0] = name.length > MAX_LISTPACK_VALUE
                                || v.isPresent() && v.get().bytes().length() > MAX_LISTPACK_VALUE;
                    }
                }

                @Override
                public Metadata finish(Metadata meta) {
                    boolean hashtable = large[0] || meta.size() > MAX_LISTPACK_ENTRIES;
                    return reshaped(meta, hashtable ? Encoding.HASHTABLE : Encoding.LISTPACK, null);
                }
            };
        }
    }

    private SortedMap<Bytes, DotFun<Contribution>> rows(int db, byte[] key, Metadata live, Collection<Bytes> fields) {
        SortedMap<Bytes, DotFun<Contribution>> rows = new TreeMap<>();
        if (live == null) {
            return rows;
        }
        for (Bytes f : fields) {
            byte[] raw = engine.get(ColumnFamily.SUB, KeyCodec.sub(db, key, live.version(), f.toByteArray()));
            if (raw != null) {
                rows.put(f, decode(raw));
            }
        }
        return rows;
    }

    /** The encoding after a write assigning {@code written} (field → value) that gives the visible size of slice ⊔ delta. */
    private static Encoding grow(Metadata live, OrMap slice, OrMap delta, Map<Bytes, Bytes> written, int pairsGiven) {
        if (live != null && live.encoding() == Encoding.HASHTABLE) {
            return Encoding.HASHTABLE;
        }
        if (pairsGiven > MAX_LISTPACK_ENTRIES) {
            return Encoding.HASHTABLE;
        }
        for (Map.Entry<Bytes, Bytes> e : written.entrySet()) {
            if (e.getKey().length() > MAX_LISTPACK_VALUE || e.getValue().length() > MAX_LISTPACK_VALUE) {
                return Encoding.HASHTABLE;
            }
        }
        OrMap result = slice.merge(delta);
        long size = live == null ? 0 : live.size();
        for (Bytes f : written.keySet()) {
            size += (result.containsKey(f) ? 1 : 0) - (slice.containsKey(f) ? 1 : 0);
        }
        return size > MAX_LISTPACK_ENTRIES ? Encoding.HASHTABLE : Encoding.LISTPACK;
    }

    private static CausalContext context(Metadata meta) {
        return RowReplica.context(meta);
    }

    private static DotFun<Contribution> decode(byte[] raw) {
        try {
            return ElementCodec.decodeField(raw);
        } catch (CodecException e) {
            throw new StoreException("corrupt hash field row: " + e.getMessage(), e);
        }
    }
}
