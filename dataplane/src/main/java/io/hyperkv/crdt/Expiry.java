package io.hyperkv.crdt;

import java.util.Objects;

/**
 * A key's time to live as a last-writer-wins field: EXPIRE/PEXPIRE/EXPIREAT set an absolute deadline,
 * PERSIST (and a plain SET, which clears the TTL in Redis) set {@link #NEVER}. Sequential operations
 * behave exactly as in Redis because each one carries a newer stamp; concurrent ones are ordered by
 * their stamps. {@link #NONE} (stamp {@link Stamp#ZERO}, never) is the bottom. Immutable.
 *
 * @param stamp    the stamp of the operation that set it
 * @param atMillis absolute deadline in Unix milliseconds, or {@link #NEVER}
 */
public record Expiry(Stamp stamp, long atMillis) implements Crdt<Expiry> {

    public static final long NEVER = 0;
    public static final Expiry NONE = new Expiry(Stamp.ZERO, NEVER);

    public Expiry {
        Objects.requireNonNull(stamp, "stamp");
        if (atMillis < 0) {
            throw new IllegalArgumentException("expiry must be a positive Unix time in ms or NEVER");
        }
    }

    /** EXPIREAT in ms: the delta setting the deadline. */
    public static Expiry at(long atMillis, Clock clock) {
        return new Expiry(clock.next(), atMillis);
    }

    /** PERSIST: the delta removing the deadline. */
    public static Expiry persist(Clock clock) {
        return new Expiry(clock.next(), NEVER);
    }

    public boolean expires() {
        return atMillis != NEVER;
    }

    /** True if the key is expired at {@code nowMillis}. */
    public boolean expiredAt(long nowMillis) {
        return atMillis != NEVER && atMillis <= nowMillis;
    }

    @Override
    public Stamp latest() {
        return stamp;
    }

    @Override
    public Expiry merge(Expiry other) {
        int c = stamp.compareTo(other.stamp);
        if (c == 0) {
            return atMillis >= other.atMillis ? this : other;
        }
        return c > 0 ? this : other;
    }
}
