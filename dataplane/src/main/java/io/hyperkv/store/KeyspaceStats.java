package io.hyperkv.store;

import java.util.concurrent.atomic.LongAdder;

/** Counters INFO reports under {@code stats} and {@code persistence}; CONFIG RESETSTAT zeroes the resettable ones. */
public final class KeyspaceStats {
    final LongAdder hits = new LongAdder();
    final LongAdder misses = new LongAdder();
    final LongAdder expiredKeys = new LongAdder();
    final LongAdder expireCycles = new LongAdder();
    /** Writes since the last SAVE: {@code rdb_changes_since_last_save}; not reset by RESETSTAT, as in Redis. */
    final LongAdder dirty = new LongAdder();
    /** {@link KeyEvents} listeners that threw: each is a bug, counted so tests and metrics can see it. */
    final LongAdder listenerFailures = new LongAdder();
    /** Tombstones removed after their grace period. */
    final LongAdder tombstonesCollected = new LongAdder();

    public void hit() {
        hits.increment();
    }

    public void miss() {
        misses.increment();
    }

    public long hits() {
        return hits.sum();
    }

    public long misses() {
        return misses.sum();
    }

    public long expiredKeys() {
        return expiredKeys.sum();
    }

    public long dirty() {
        return dirty.sum();
    }

    public long tombstonesCollected() {
        return tombstonesCollected.sum();
    }

    public long listenerFailures() {
        return listenerFailures.sum();
    }

    public void reset() {
        hits.reset();
        misses.reset();
        expiredKeys.reset();
        expireCycles.reset();
    }
}
