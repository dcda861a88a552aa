package io.hyperkv.store;

import java.util.Arrays;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks that serialize writers of one key across event loops and workers. A key maps to
 * a stripe by its db and bytes; several keys are always locked in ascending stripe order, so two
 * multi-key commands can never deadlock, and "everything" (FLUSHDB) is just every stripe in order.
 * Locks are reentrant, so a command holding a key's stripe may call store methods that lock it again.
 */
public final class KeyLocks {

    private final ReentrantLock[] stripes;

    public KeyLocks(int count) {
        if (Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("stripe count must be a power of two");
        }
        stripes = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    int stripe(int db, byte[] key) {
        int h = db * 0x9E3779B9;
        for (byte b : key) {
            h = 31 * h + b;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h & (stripes.length - 1);
    }

    public Held lock(int db, byte[] key) {
        ReentrantLock l = stripes[stripe(db, key)];
        l.lock();
        return new Held(new ReentrantLock[] {l});
    }

    /** Locks the stripes of all {@code keys} of {@code dbs[i]} (pairwise), in ascending stripe order. */
    public Held lock(int[] dbs, byte[][] keys) {
        int[] idx = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            idx[i] = stripe(dbs[i], keys[i]);
        }
        Arrays.sort(idx);
        int distinct = 0;
        for (int i = 0; i < idx.length; i++) {
            if (i == 0 || idx[i] != idx[i - 1]) {
                idx[distinct++] = idx[i];
            }
        }
        ReentrantLock[] held = new ReentrantLock[distinct];
        for (int i = 0; i < distinct; i++) {
            held[i] = stripes[idx[i]];
            held[i].lock();
        }
        return new Held(held);
    }

    public Held lockAll() {
        for (ReentrantLock l : stripes) {
            l.lock();
        }
        return new Held(stripes.clone());
    }

    /** Locks held by one command; closing releases them in reverse order. */
    public static final class Held implements AutoCloseable {
        private final ReentrantLock[] locks;

        Held(ReentrantLock[] locks) {
            this.locks = locks;
        }

        @Override
        public void close() {
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].unlock();
            }
        }
    }
}
