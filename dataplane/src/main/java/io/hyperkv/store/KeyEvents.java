package io.hyperkv.store;

/**
 * What the layers above learn about committed key changes, whoever made them (a command, active
 * expiry, a replicated delta): WATCH marks keys dirty from it, blocked clients are woken by it,
 * keyspace notifications report expiry through it. Registered with {@link Keyspace#listen}.
 *
 * <p>Calls come on the writing thread right after the change is committed to the engine, while the
 * key's {@link KeyLocks} stripe is still held (so a listener sees changes of one key in commit
 * order). Listeners must be quick and must not take key locks or write to the keyspace themselves:
 * hand the work to another thread or event loop. A listener that throws is a bug; the exception is
 * not allowed to undo or hide the write, so it is swallowed after the other listeners ran.
 */
public interface KeyEvents {

    /** {@code key} of {@code db} was written, its expiry changed, or it was deleted, by a command or a merge. */
    default void modified(int db, byte[] key) {
    }

    /** {@code key} of {@code db} was removed because its expiry passed (passive or active expiry). */
    default void expired(int db, byte[] key) {
    }

    /** Every key of the databases {@code [fromDb, toDb)} was removed (FLUSHDB, FLUSHALL). */
    default void flushed(int fromDb, int toDb) {
    }

    /**
     * Every key of {@code slot}, in every database, was removed because this node stopped owning the slot
     * ({@link Keyspace#dropSlot}): the keys live on at the slot's new owners.
     */
    default void slotDropped(int slot) {
    }
}
