package io.hyperkv.command;

import io.hyperkv.resp.Reply;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Objects;

/**
 * What a blocking command (BLPOP, BLMOVE, BZPOPMIN...) hands to {@link ClientSession#block} when it
 * found nothing to serve: the keys whose changes may serve it, how long to wait, how to try again,
 * and what to answer on timeout.
 *
 * <p>{@code attempt} is the command's own non-blocking body: it runs on the client's event loop each
 * time one of {@code keys} may have changed, takes the key locks it needs itself, and returns the
 * reply (having done the pop) or null if there is still nothing to serve. A key that now holds the
 * wrong type is "nothing to serve" (the client stays blocked, as in Redis), not an error.
 *
 * @param db             the client's database when it blocked
 * @param keys           the keys waited on, in the command's order (duplicates allowed)
 * @param timeoutMillis  relative timeout; 0 waits forever
 * @param attempt        re-runs the command; null when it still cannot be served
 * @param timeoutReply   the reply on timeout and on {@code CLIENT UNBLOCK id TIMEOUT}
 */
public record BlockRequest(int db, List<byte[]> keys, long timeoutMillis, Attempt attempt, Reply timeoutReply) {

    /** One retry of a blocked command. */
    @FunctionalInterface
    public interface Attempt {
        /** The reply if the command could be served now (its write done), else null. */
        Reply attempt();
    }

    public BlockRequest {
        keys = List.copyOf(keys);
        Objects.requireNonNull(attempt, "attempt");
        Objects.requireNonNull(timeoutReply, "timeoutReply");
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a blocking command waits on at least one key");
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("negative timeout");
        }
    }

    /** A pop over {@code keys} (the first non-empty one serves); {@code blocked} is true on retries after a block. */
    @FunctionalInterface
    public interface KeysPop {
        Reply pop(int db, List<byte[]> keys, boolean blocked);
    }

    /**
     * The body of the {@code key [key ...] timeout} commands (BLPOP, BRPOP, BZPOPMIN, BZPOPMAX): pop
     * now if a key has something, else park the client with the same pop as its retry, else (a
     * session that may not block, as inside EXEC) answer the timeout reply, a null array.
     */
    public static Reply popOrBlock(ClientSession session, byte[][] argv, KeysPop pop) {
        long timeout = timeoutSeconds(argv[argv.length - 1]);
        int db = session.db();
        List<byte[]> keys = new java.util.ArrayList<>(argv.length - 2);
        for (int i = 1; i < argv.length - 1; i++) {
            keys.add(argv[i].clone());
        }
        Reply now = pop.pop(db, keys, false);
        if (now != null) {
            return now;
        }
        if (!session.mayBlock()) {
            return Reply.NULL_ARRAY;
        }
        return session.block(new BlockRequest(db, keys, timeout, () -> pop.pop(db, keys, true), Reply.NULL_ARRAY));
    }

    /**
     * A blocking command's timeout argument in seconds (a float, as Redis's
     * {@code getTimeoutFromObjectOrReply} with seconds), as milliseconds rounded up; 0 means forever.
     * Errors in Redis's words.
     */
    public static long timeoutSeconds(byte[] arg) {
        BigDecimal v = Args.parseDecimal(arg);
        if (v == null) {
            throw new CommandError("ERR timeout is not a float or out of range");
        }
        BigDecimal ms = v.multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.CEILING);
        if (ms.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new CommandError("ERR timeout is out of range");
        }
        if (ms.signum() < 0) {
            throw new CommandError("ERR timeout is negative");
        }
        return ms.longValueExact();
    }
}
