package io.hyperkv.server;

import io.hyperkv.store.KeyEvents;
import io.hyperkv.store.KeySlot;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The WATCH registry of one node: which connections watch which keys, marked dirty from the
 * keyspace's {@link KeyEvents} (Redis's touch model: any write, expiry change, deletion, expiry or
 * flush of a watched key makes the watcher's next EXEC fail, even if the value ends up the same).
 *
 * <p>Events come on the writing thread while the key's stripe is held; a watcher's EXEC takes the
 * stripes of its watched keys before it reads {@link Watcher#dirty()}, so a write either happened
 * before (and marked it) or waits until the EXEC is done. FLUSHDB/FLUSHALL dirty only the watched
 * keys that existed when they were watched (and were not touched since, else they are dirty
 * already): that is exactly Redis's "the key existed in the emptied db". A slot this node stopped
 * owning ({@link KeyEvents#slotDropped}) dirties every watched key of that slot, existing or not: its
 * value now lives on other nodes, where it may have changed unseen. With nobody watching, an event
 * costs one volatile read.
 */
public final class WatchedKeys implements KeyEvents {

    /** (db, key) as a map key. */
    private record Name(int db, byte[] key) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Name n && n.db == db && Arrays.equals(n.key, key);
        }

        @Override
        public int hashCode() {
            return 31 * db + Arrays.hashCode(key);
        }
    }

    /** watched key → its watchers, each with "the key existed when it was watched". */
    private final Map<Name, Map<Watcher, Boolean>> byKey = new ConcurrentHashMap<>();
    private final AtomicInteger registrations = new AtomicInteger();

    /** One connection's watched keys. Its methods are called by the owning connection only; {@link #dirty} from anywhere. */
    public final class Watcher {
        private final java.util.List<Name> keys = new java.util.ArrayList<>();
        private volatile boolean dirty;

        /** Watches {@code key} of {@code db}; {@code existed}: it was live when watched. Watching twice is a no-op. */
        public void watch(int db, byte[] key, java.util.function.BooleanSupplier existed) {
            Name n = new Name(db, key.clone());
            if (keys.contains(n)) {
                return;
            }
            keys.add(n);
            // registered before the existence check: a write in between marks us dirty, never lost.
            // compute() is atomic with unwatchAll's removal of an emptied map, so we never land in a dropped one.
            registrations.incrementAndGet();
            Map<Watcher, Boolean> watchers = byKey.compute(n, (k, m) -> {
                Map<Watcher, Boolean> out = m == null ? new ConcurrentHashMap<>() : m;
                out.put(this, Boolean.FALSE);
                return out;
            });
            watchers.replace(this, existed.getAsBoolean());
        }

        /** Every (db, key) watched, for EXEC to lock them. */
        public int count() {
            return keys.size();
        }

        public int db(int i) {
            return keys.get(i).db();
        }

        public byte[] key(int i) {
            return keys.get(i).key();
        }

        /** True when a watched key was touched since it was watched: EXEC must fail. */
        public boolean dirty() {
            return dirty;
        }

        void markDirty() {
            dirty = true;
        }

        /** UNWATCH (also after EXEC, DISCARD, RESET and when the connection closes). */
        public void unwatchAll() {
            for (Name n : keys) {
                byKey.computeIfPresent(n, (k, watchers) -> {
                    if (watchers.remove(this) != null) {
                        registrations.decrementAndGet();
                    }
                    return watchers.isEmpty() ? null : watchers;
                });
            }
            keys.clear();
            dirty = false;
        }
    }

    public Watcher newWatcher() {
        return new Watcher();
    }

    /** Number of (connection, key) watches in force, for tests and INFO. */
    public int size() {
        return registrations.get();
    }

    @Override
    public void modified(int db, byte[] key) {
        touch(db, key);
    }

    @Override
    public void expired(int db, byte[] key) {
        touch(db, key);
    }

    private void touch(int db, byte[] key) {
        if (registrations.get() == 0) {
            return;
        }
        Map<Watcher, Boolean> watchers = byKey.get(new Name(db, key));
        if (watchers != null) {
            for (Watcher w : watchers.keySet()) {
                w.markDirty();
            }
        }
    }

    @Override
    public void flushed(int fromDb, int toDb) {
        if (registrations.get() == 0) {
            return;
        }
        for (Map.Entry<Name, Map<Watcher, Boolean>> e : byKey.entrySet()) {
            if (e.getKey().db() >= fromDb && e.getKey().db() < toDb) {
                for (Map.Entry<Watcher, Boolean> w : e.getValue().entrySet()) {
                    if (w.getValue()) {
                        w.getKey().markDirty();
                    }
                }
            }
        }
    }

    @Override
    public void slotDropped(int slot) {
        if (registrations.get() == 0) {
            return;
        }
        for (Map.Entry<Name, Map<Watcher, Boolean>> e : byKey.entrySet()) {
            if (KeySlot.of(e.getKey().key()) == slot) {
                for (Watcher w : e.getValue().keySet()) {
                    w.markDirty();
                }
            }
        }
    }
}
