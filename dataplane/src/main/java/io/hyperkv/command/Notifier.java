package io.hyperkv.command;

/**
 * Keyspace notifications ({@code notify-keyspace-events}): what a command family calls after a
 * change to a key, at the same points where Redis 7 calls {@code notifyKeyspaceEvent} (after the
 * write succeeded, once per event, with Redis's event name). Whether anything is published, and on
 * which channels ({@code __keyspace@<db>__:<key>} and/or {@code __keyevent@<db>__:<event>}), is
 * decided by the implementation from the configured flags, so callers never test the
 * configuration themselves and the call is cheap when notifications are off (the default).
 *
 * <p>The {@code type} argument is exactly one of the event classes below; the bit values are
 * Redis's own ({@code NOTIFY_*} in server.h), the letter is the one {@code notify-keyspace-events}
 * uses to enable the class:
 * <table>
 *   <caption>Event classes</caption>
 *   <tr><th>constant</th><th>letter</th><th>events (examples)</th></tr>
 *   <tr><td>{@link #GENERIC}</td><td>g</td><td>del, expire, rename_from, rename_to, copy_to, persist, move_from, move_to, restore</td></tr>
 *   <tr><td>{@link #STRING}</td><td>$</td><td>set, setrange, incrby, incrbyfloat, append</td></tr>
 *   <tr><td>{@link #LIST}</td><td>l</td><td>lpush, rpush, lpop, rpop, linsert, lset, lrem, ltrim</td></tr>
 *   <tr><td>{@link #SET}</td><td>s</td><td>sadd, srem, spop, sinterstore, sunionstore, sdiffstore</td></tr>
 *   <tr><td>{@link #HASH}</td><td>h</td><td>hset, hdel, hincrby, hincrbyfloat</td></tr>
 *   <tr><td>{@link #ZSET}</td><td>z</td><td>zadd, zincr, zrem, zremrangebyscore, zunionstore, zinterstore, zdiffstore</td></tr>
 *   <tr><td>{@link #EXPIRED}</td><td>x</td><td>expired (passive or active expiry)</td></tr>
 *   <tr><td>{@link #EVICTED}</td><td>e</td><td>evicted</td></tr>
 *   <tr><td>{@link #STREAM}</td><td>t</td><td>xadd, xdel, ...</td></tr>
 *   <tr><td>{@link #KEY_MISS}</td><td>m</td><td>keymiss (not included in A, as in Redis)</td></tr>
 *   <tr><td>{@link #MODULE}</td><td>d</td><td>module events</td></tr>
 *   <tr><td>{@link #NEW}</td><td>n</td><td>new (a key was created; not included in A, as in Redis)</td></tr>
 * </table>
 * Implementations are thread-safe: handlers call them from event loops and worker threads.
 * Callers pass the key they already hold; implementations must not keep or mutate it.
 */
public interface Notifier {

    int GENERIC = 1 << 2;
    int STRING = 1 << 3;
    int LIST = 1 << 4;
    int SET = 1 << 5;
    int HASH = 1 << 6;
    int ZSET = 1 << 7;
    int EXPIRED = 1 << 8;
    int EVICTED = 1 << 9;
    int STREAM = 1 << 10;
    int KEY_MISS = 1 << 11;
    int MODULE = 1 << 13;
    int NEW = 1 << 14;

    /**
     * Reports one event on {@code key} of logical database {@code db}.
     *
     * @param type  one event class constant of this interface, e.g. {@link #STRING}
     * @param event Redis's event name, e.g. {@code "set"}, {@code "del"}, {@code "hset"}
     */
    void notify(int type, String event, int db, byte[] key);

    /** Publishes nothing: for tests and for families built before the server's notifier exists. */
    Notifier NONE = (type, event, db, key) -> { };
}
