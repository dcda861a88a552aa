package io.hyperkv.store;

import io.hyperkv.crdt.CausalContext;
import io.hyperkv.crdt.ElementCodec;
import io.hyperkv.crdt.Stamp;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * What the element stores of hashes and sets share: positioning on a random element row, the
 * numeric resume cursors of HSCAN/SSCAN, and the META row of a collection after a write.
 *
 * <p>Random picks (SPOP, SRANDMEMBER, HRANDFIELD) descend the element names' byte trie with a few
 * seeks ({@link #random}) instead of counting rows: not uniform where names are lopsided, whereas
 * Redis's picks are; a documented difference.
 */
final class ElementRows {

    private static final int CURSOR_TABLE_SIZE = 65_536;
    private static final AtomicLong CURSOR_IDS = new AtomicLong(ThreadLocalRandom.current().nextInt(1, 1 << 20));
    private static final Map<Long, byte[]> CURSORS = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > CURSOR_TABLE_SIZE;
        }
    };

    private ElementRows() {
    }

    /**
     * A random row under {@code prefix} that {@code accept} takes (looking at most a few rows
     * further), as {@code {key, value}}, or null if the rows looked at were all refused or there
     * are none.
     *
     * <p>The pick descends the byte trie of the element names: at each point where the rows under
     * the current prefix branch (the first byte where the first and last of them differ) it takes
     * a byte uniformly between the two and seeks there. So an element is picked with probability
     * about the product of 1/branching along its path: uniform for names spread evenly (numbers,
     * hex ids), skewed for lopsided ones; two seeks per branching point, O(log n) for usual names.
     */
    static byte[][] random(Engine engine, byte[] prefix, Predicate<byte[]> accept) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        try (Engine.Cursor c = engine.iterate(ColumnFamily.SUB, prefix, KeyCodec.prefixEnd(prefix))) {
            // a cursor opens on the first row at or after its lower bound: no second seek
            byte[] p = prefix;
            // invariant: the cursor is on the first row under p
            for (int level = 0; level < 64 && c.valid(); level++) {
                byte[] first = c.key();
                byte[] end = KeyCodec.prefixEnd(p);
                if (end == null) {
                    c.seekToLast();
                } else {
                    c.seekForPrev(end);
                    if (c.valid() && Arrays.equals(c.key(), end)) {
                        c.prev();
                    }
                }
                byte[] last = c.key();
                if (Arrays.equals(first, last)) {
                    c.seek(first);
                    break;
                }
                int common = Arrays.mismatch(first, last);
                int lo;
                if (common == first.length) {
                    // first is a prefix of every other row here: it is one of the candidates
                    c.seek(first);
                    if (rnd.nextInt(8) == 0) {
                        break;
                    }
                    c.next();
                    lo = c.key()[common] & 0xFF;
                } else {
                    lo = first[common] & 0xFF;
                }
                int hi = last[common] & 0xFF;
                p = Arrays.copyOf(first, common + 1);
                p[common] = (byte) (lo + rnd.nextInt(hi - lo + 1));
                c.seek(p);
                if (!c.valid() || !startsWith(c.key(), p)) {
                    // no row under the chosen byte: the next row (or the first, wrapping) is the pick
                    break;
                }
            }
            for (int wrapped = 0; wrapped < 2; wrapped++) {
                if (!c.valid()) {
                    c.seekToFirst();
                }
                for (int seen = 0; c.valid() && seen < 64; c.next(), seen++) {
                    if (accept.test(c.value())) {
                        return new byte[][] {c.key(), c.value()};
                    }
                }
                if (c.valid()) {
                    return null;
                }
            }
        }
        return null;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Remembers where a scan continues; the number is what the client sends back. */
    static long saveCursor(byte[] resumeKey) {
        long id = CURSOR_IDS.incrementAndGet() & Long.MAX_VALUE;
        synchronized (CURSORS) {
            CURSORS.put(id, resumeKey);
        }
        return id;
    }

    /**
     * The resume key of {@code cursor} if it belongs to {@code prefix}, else the prefix itself: an
     * unknown or foreign cursor restarts the iteration, which returns every element present for the
     * whole scan, possibly twice, as Redis allows.
     */
    static byte[] resume(long cursor, byte[] prefix) {
        if (cursor == 0) {
            return prefix;
        }
        byte[] from;
        synchronized (CURSORS) {
            from = CURSORS.get(cursor);
        }
        if (from == null || from.length < prefix.length || !Arrays.equals(from, 0, prefix.length, prefix, 0, prefix.length)) {
            return prefix;
        }
        return from;
    }

    /** The element part of a sub-key under a prefix of {@code prefixLength} bytes. */
    static byte[] element(byte[] subKey, int prefixLength) {
        return Arrays.copyOfRange(subKey, prefixLength, subKey.length);
    }

    /**
     * META of a collection after a local write: same version and expiry as {@code live} (or a new key under a new
     * version, keeping the expiry field of {@code prior}, the tombstone it replaces, if any: the expiry is
     * last-writer-wins on its own stamp), new stamp, size, context and element hash; when the write emptied it
     * ({@code size} 0), what {@link #emptied} leaves.
     */
    static Metadata updated(Keyspace ks, ValueType type, Metadata live, Metadata prior, Encoding encoding, Stamp stamp,
            long size, byte[] context, long elementsHash) {
        if (size <= 0) {
            return emptied(ks, type, live, stamp, context);
        }
        if (live == null) {
            return new Metadata(type, encoding, stamp.time(), stamp, 0, prior == null ? null : prior.expiryStamp(), size,
                    context, null).withElementsHash(elementsHash);
        }
        return new Metadata(type, encoding, live.version(), stamp, live.expireAt(), live.expiryStamp(), size, context, null)
                .withElementsHash(elementsHash);
    }

    /** META of a collection written whole under a new version (the *STORE commands): no expiry, as Redis's setKey. */
    static Metadata replaced(ValueType type, Metadata old, Encoding encoding, Stamp stamp, long size, byte[] context,
            long elementsHash) {
        Stamp expiryStamp = old != null && old.expiryStamp() != null ? stamp : null;
        return new Metadata(type, encoding, stamp.time(), stamp, 0, expiryStamp, size, context, null)
                .withElementsHash(elementsHash);
    }

    /**
     * What a local write that emptied the collection {@code live} leaves as its META (every row already staged as
     * deleted: an emptied collection keeps no row, not even a hash field's row without a value; the shipped
     * tombstone's context removes those rows on the replicas too): while the keyspace replicates, a tombstone with the collection's context {@code context}, so that the
     * replicas learn what was removed and this node never mints a dot it already used (a new collection over the
     * tombstone continues the context, see {@link #prior}); on a single node nothing (the row is deleted), as before.
     */
    static Metadata emptied(Keyspace ks, ValueType type, Metadata live, Stamp stamp, byte[] context) {
        if (live == null || !ks.replicating()) {
            return null;
        }
        // the deletion clears the expiry field at its stamp, as the keyspace's own tombstones do
        return Metadata.tombstone(type, live.version(), stamp, context).withExpiry(0, stamp);
    }

    /**
     * What a write replacing {@code stored} (any type, or null) by an empty result leaves (the *STORE commands):
     * nothing when nothing was there; while replicating a tombstone under a new version (dropping the old rows) with
     * {@code context}, the context the dropped collection had; else nothing.
     */
    static Metadata deleted(Keyspace ks, Metadata stored, Stamp stamp, CausalContext context) {
        if (stored == null || stored.tombstone() || !ks.replicating()) {
            return stored == null || stored.tombstone() ? stored : null;
        }
        // a string's tombstone keeps the context as its observed one (its context field is a counter's)
        return RowReplica.covering(Metadata.tombstone(stored.type(), stamp.time(), stamp, null), context);
    }

    /**
     * The stored META whose causal context a collection of {@code type} written over it continues, or null: whatever is
     * stored, since a collection replacing a string or a collection of another type still removes the dots those
     * covered ({@link RowReplica#context}: a string's observed context, another collection's context).
     */
    static Metadata continued(ValueType type, Metadata stored) {
        return stored;
    }

    /**
     * The tombstone a write creating {@code key} (not live) continues: its stored META when that is a tombstone
     * (reads do not return tombstones); null when there is none. Its context is the new
     * collection's starting context (dots are minted above it) and its row is what the write replaces.
     */
    static Metadata prior(Keyspace ks, int db, byte[] key) {
        Metadata m = ks.readStored(db, key);
        return m != null && m.tombstone() ? m : null;
    }
}
