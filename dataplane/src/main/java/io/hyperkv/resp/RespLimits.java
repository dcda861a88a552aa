package io.hyperkv.resp;

/**
 * The hard limits a {@link RespDecoder} enforces while it reads a request, named after the Redis settings they mirror.
 *
 * <ul>
 *   <li>{@code maxBulkLen}: the longest bulk string argument ({@code proto-max-bulk-len}, 512 MB by default). It is
 *       capped at {@link #MAX_BULK_LEN_CEILING} because one argument is one Java array.</li>
 *   <li>{@code maxMultibulkLen}: the most arguments one {@code *N} request may declare (Redis: {@code INT_MAX}).</li>
 *   <li>{@code maxInlineLen}: the longest inline command line, and the longest {@code *N} / {@code $N} header line
 *       ({@code PROTO_INLINE_MAX_SIZE}, 64 KB).</li>
 * </ul>
 *
 * A connection that has not authenticated yet gets the far tighter {@link #UNAUTHENTICATED_MAX_MULTIBULK_LEN} and
 * {@link #UNAUTHENTICATED_MAX_BULK_LEN} instead, as Redis does since 6.2.6, so a client without the password cannot make
 * the server hold large requests (see {@link RespDecoder#authenticated(boolean)}).
 */
public record RespLimits(long maxBulkLen, int maxMultibulkLen, int maxInlineLen) {

    /** {@code proto-max-bulk-len} default: 512 MB. */
    public static final long DEFAULT_MAX_BULK_LEN = 512L * 1024 * 1024;
    /** Redis accepts any {@code *N} up to {@code INT_MAX}; arguments are still stored only as they arrive. */
    public static final int DEFAULT_MAX_MULTIBULK_LEN = Integer.MAX_VALUE;
    /** {@code PROTO_INLINE_MAX_SIZE}: 64 KB. */
    public static final int DEFAULT_MAX_INLINE_LEN = 64 * 1024;
    /** Redis's limit on {@code *N} before the connection has authenticated. */
    public static final int UNAUTHENTICATED_MAX_MULTIBULK_LEN = 10;
    /** Redis's limit on {@code $N} before the connection has authenticated. */
    public static final int UNAUTHENTICATED_MAX_BULK_LEN = 16 * 1024;
    /** The longest byte array the JVM reliably allocates, hence the longest single argument. */
    public static final long MAX_BULK_LEN_CEILING = Integer.MAX_VALUE - 8;

    public RespLimits {
        if (maxBulkLen < 0 || maxBulkLen > MAX_BULK_LEN_CEILING) {
            throw new IllegalArgumentException(
                    "maxBulkLen must be between 0 and " + MAX_BULK_LEN_CEILING + ", was " + maxBulkLen);
        }
        if (maxMultibulkLen < 1) {
            throw new IllegalArgumentException("maxMultibulkLen must be positive, was " + maxMultibulkLen);
        }
        if (maxInlineLen < 1 || maxInlineLen > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("maxInlineLen out of range: " + maxInlineLen);
        }
    }

    /** Redis's defaults: 512 MB bulks, {@code INT_MAX} arguments, 64 KB inline lines. */
    public static RespLimits defaults() {
        return new RespLimits(DEFAULT_MAX_BULK_LEN, DEFAULT_MAX_MULTIBULK_LEN, DEFAULT_MAX_INLINE_LEN);
    }

    /** These limits with another {@code proto-max-bulk-len}. */
    public RespLimits withMaxBulkLen(long bytes) {
        return new RespLimits(bytes, maxMultibulkLen, maxInlineLen);
    }
}
