package io.hyperkv.store;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Striped locks that serialize writers of one key across event loops and workers. A key maps to
 * a stripe by its db and bytes; several keys are always locked in ascending stripe order, so two
 * multi-key commands can never deadlock, and "everything" (FLUSHDB) is just every stripe in order.
 * Locks are reentrant per thread, so a command holding a key's stripe (EXEC holds every stripe of
 * its queued commands, a reader holds its keys' stripes) may call store methods that lock it again.
 *
 * <p>A thread that already holds stripes and asks for one it does not hold may be taking it out of
 * ascending order (a handler locking a key its command's key positions did not name). Such a
 * request waits at most {@link #OUT_OF_ORDER_WAIT_MILLIS} and then fails with a
 * {@link StoreException}: one command gets an error instead of two event loops deadlocking forever.
 *
 * <p>Cost uncontended: one hash over the key bytes, a thread-local read, one CAS to lock and one to
 * unlock, two small allocations (measured by {@code KeyLocksBenchmark}).
 */
public final class KeyLocks {

    /** How long a possibly out-of-order acquisition waits before it gives up. */
    public static final long OUT_OF_ORDER_WAIT_MILLIS = 2000;

    /** Stripes held by the current thread, counted once per {@link Held} member. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

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
        int[] depth = DEPTH.get();
        acquire(l, depth[0] > 0);
        depth[0]++;
        return new Held(new ReentrantLock[] {l}, depth);
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
        }
        return lockInOrder(held);
    }

    public Held lockAll() {
        return lockInOrder(stripes.clone());
    }

    private Held lockInOrder(ReentrantLock[] held) {
        int[] depth = DEPTH.get();
        boolean holdsOthers = depth[0] > 0;
        for (int i = 0; i < held.length; i++) {
            try {
                acquire(held[i], holdsOthers);
            } catch (RuntimeException e) {
                for (int j = i - 1; j >= 0; j--) {
                    held[j].unlock();
                }
                throw e;
            }
        }
        depth[0] += held.length;
        return new Held(held, depth);
    }

    private static void acquire(ReentrantLock l, boolean holdsOthers) {
        if (!holdsOthers || l.isHeldByCurrentThread()) {
            l.lock();
            return;
        }
        boolean got;
        try {
            got = l.tryLock(OUT_OF_ORDER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            got = false;
        }
        if (!got) {
            throw new StoreException("a key lock was requested out of order and stayed busy for "
                    + OUT_OF_ORDER_WAIT_MILLIS + " ms (a command locked a key its key positions do not name)");
        }
    }

    /** Locks held by one command; closing (on the thread that locked) releases them in reverse order. */
    public static final class Held implements AutoCloseable {
        private final ReentrantLock[] locks;
        private final int[] depth;

        Held(ReentrantLock[] locks, int[] depth) {
            this.locks = locks;
            this.depth = depth;
        }

        @Override
        public void close() {
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].unlock();
            }
            depth[0] -= locks.length;
        }
    }
}
