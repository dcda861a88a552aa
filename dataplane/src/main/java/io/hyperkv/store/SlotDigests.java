package io.hyperkv.store;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The anti-entropy digest of every slot of every db, in memory: the XOR over the slot's live keys of
 * {@link StateHash#term}. XOR makes the upkeep incremental and order-free: replacing a key's value XORs out the old
 * term and XORs in the new one, so two replicas holding the same live keys with the same states hold equal digests,
 * however their writes and merges interleaved.
 *
 * <p>Threading: {@link #replaced} is called by writers under the key's lock, concurrently for different keys of one
 * slot, so each slot is an atomic word. Readers see each slot as of some recent write.
 */
final class SlotDigests {

    private final AtomicLongArray[] slots;

    SlotDigests(int databases) {
        slots = new AtomicLongArray[databases];
        for (int db = 0; db < databases; db++) {
            slots[db] = new AtomicLongArray(KeySlot.SLOTS);
        }
    }

    /** {@code key} of {@code db} went from {@code before} to {@code after} (null: absent). */
    void replaced(int db, byte[] key, Metadata before, Metadata after) {
        long change = StateHash.term(key, before) ^ StateHash.term(key, after);
        if (change != 0) {
            xor(db, KeySlot.of(key), change);
        }
    }

    /** Adds the term of a key found on disk (the start-up pass). */
    void add(int db, int slot, long term) {
        xor(db, slot, term);
    }

    private void xor(int db, int slot, long change) {
        AtomicLongArray a = slots[db];
        long prev;
        do {
            prev = a.get(slot);
        } while (!a.compareAndSet(slot, prev, prev ^ change));
    }

    long slot(int db, int slot) {
        return slots[db].get(slot);
    }

    void clear(int db, int slot) {
        slots[db].set(slot, 0);
    }

    void clear(int db) {
        for (int s = 0; s < KeySlot.SLOTS; s++) {
            slots[db].set(s, 0);
        }
    }

    /**
     * One digest of everything: SHA-1 over (db, slot, digest) of every non-zero slot, in order; 20 zero bytes when
     * there is no live key at all (as Redis's DEBUG DIGEST of an empty dataset).
     */
    byte[] digest() {
        MessageDigest sha = sha1();
        ByteBuffer entry = ByteBuffer.allocate(1 + 2 + 8);
        boolean any = false;
        for (int db = 0; db < slots.length; db++) {
            for (int s = 0; s < KeySlot.SLOTS; s++) {
                long d = slots[db].get(s);
                if (d != 0) {
                    any = true;
                    entry.clear();
                    entry.put((byte) db).putShort((short) s).putLong(d);
                    sha.update(entry.array());
                }
            }
        }
        return any ? sha.digest() : new byte[20];
    }

    /** The 20-byte digest of one key (DEBUG DIGEST-VALUE): SHA-1 of its {@link StateHash#term}; zeros for none. */
    static byte[] keyDigest(byte[] key, Metadata meta) {
        long term = StateHash.term(key, meta);
        return term == 0 ? new byte[20] : sha1().digest(ByteBuffer.allocate(8).putLong(term).array());
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM provides SHA-1", e);
        }
    }
}
