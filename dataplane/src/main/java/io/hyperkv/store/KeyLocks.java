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
 * <p>A stripe may be <em>retained</em> past its command ({@link #retain}): an event loop that deferred a write to
 * the end of its read burst keeps the key's stripe until that write is in the engine, so no other thread can lock the
 * key, read its old value from the engine, or write it in between. A thread holding retained stripes never waits
 * for a lock with them: when a stripe it asks for is busy it first runs the {@code handOver} action (which commits its
 * deferred writes and calls {@link #releaseRetained}), then waits as any other thread. So a waiting thread holds only
 * the stripes of its current command, taken in ascending order, and the order argument above still holds.
 *
 * <p>Cost uncontended: one hash over the key bytes, a thread-local read, one CAS to lock and one to
 * unlock, one small allocation for a single key (measured by {@code KeyLocksBenchmark}).
 */
public final class KeyLocks {

    /** How long a possibly out-of-order acquisition waits before it gives up. */
    public static final long OUT_OF_ORDER_WAIT_MILLIS = 2000;

    /** Stripes held by the current thread, counted once per {@link Held} member. */
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    /** Stripes retained by the current thread until its deferred writes are committed. */
    private final ThreadLocal<Retained> retained = ThreadLocal.withInitial(Retained::new);

    private final ReentrantLock[] stripes;
    /** Commits the calling thread's deferred writes (releasing its retained stripes); set once, before use. */
    private volatile Runnable handOver = () -> { };

    private static final class Retained {
        ReentrantLock[] locks = new ReentrantLock[16];
        int size;
    }

    public KeyLocks(int count) {
        if (Integer.bitCount(count) != 1) {
            throw new IllegalArgumentException("stripe count must be a power of two");
        }
        stripes = new ReentrantLock[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** What a thread holding retained stripes runs before it waits for a busy stripe; it must release them. */
    public void handOver(Runnable action) {
        this.handOver = action;
    }

    /**
     * Keeps the stripe of {@code key}, which the calling thread holds, locked after the caller's {@link Held} closes,
     * until {@link #releaseRetained}; false (nothing retained) if the calling thread does not hold it.
     */
    public boolean retain(int db, byte[] key) {
        ReentrantLock l = stripes[stripe(db, key)];
        if (!l.isHeldByCurrentThread()) {
            return false;
        }
        Retained r = retained.get();
        for (int i = 0; i < r.size; i++) {
            if (r.locks[i] == l) {
                return true;
            }
        }
        l.lock();
        if (r.size == r.locks.length) {
            r.locks = Arrays.copyOf(r.locks, r.size * 2);
        }
        r.locks[r.size++] = l;
        return true;
    }

    /** Unlocks every stripe the calling thread retained. */
    public void releaseRetained() {
        Retained r = retained.get();
        for (int i = r.size - 1; i >= 0; i--) {
            r.locks[i].unlock();
            r.locks[i] = null;
        }
        r.size = 0;
    }

    /** How many stripes the calling thread retains (tests). */
    int retainedCount() {
        return retained.get().size;
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
        return new Held(l, null, depth);
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
        return new Held(null, held, depth);
    }

    private void acquire(ReentrantLock l, boolean holdsOthers) {
        if (l.isHeldByCurrentThread()) {
            l.lock(); // reentrant: never waits
            return;
        }
        if (l.tryLock()) {
            return;
        }
        if (retained.get().size > 0) {
            // busy, maybe retained by a thread that waits for one of ours: give ours up before waiting
            handOver.run();
        }
        if (!holdsOthers) {
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
        /** The stripe of a single-key lock (the common case, which then allocates no array), else null. */
        private final ReentrantLock one;
        private final ReentrantLock[] locks;
        private final int[] depth;

        Held(ReentrantLock one, ReentrantLock[] locks, int[] depth) {
            this.one = one;
            this.locks = locks;
            this.depth = depth;
        }

        @Override
        public void close() {
            if (one != null) {
                one.unlock();
                depth[0]--;
                return;
            }
            for (int i = locks.length - 1; i >= 0; i--) {
                locks[i].unlock();
            }
            depth[0] -= locks.length;
        }
    }
}
