package io.hyperkv.resp;

import java.util.Arrays;
import java.util.Objects;

/**
 * Reads client requests from a byte stream as Redis does: multibulk ({@code *N} then {@code N} bulk strings
 * {@code $len}) and inline (a line of blank-separated, optionally quoted words), any number per call (pipelining), split
 * anywhere across calls.
 *
 * <h2>State machine</h2>
 * One method per {@link State}; each consumes what it can of the current buffer and either completes its part and moves
 * to the next state, or keeps the partial part and returns so the caller can wait for more bytes. A request that
 * arrives whole inside one buffer is parsed in place (one copy per argument, into the array handed to the sink); only
 * the unfinished tail of a buffer is kept, and it is extended, never re-parsed, when more bytes arrive.
 *
 * <h2>Limits, checked where each length is read</h2>
 * <ul>
 *   <li>{@code *N}: {@code N} must be a valid integer no larger than {@link RespLimits#maxMultibulkLen()}, else
 *       {@link RespProtocolException#INVALID_MULTIBULK_LENGTH}; {@code N <= 0} is an empty request and is skipped.</li>
 *   <li>{@code $N}: {@code 0 <= N <= maxBulkLen}, else {@link RespProtocolException#INVALID_BULK_LENGTH}; any other
 *       first byte is {@code "expected '$', got 'x'"}.</li>
 *   <li>Before {@link #authenticated(boolean) authentication}: {@code N <= 10} arguments and bulks of at most 16 KB.</li>
 *   <li>A header line or inline line longer than {@link RespLimits#maxInlineLen()} without its terminator is refused
 *       ({@code too big mbulk count string}, {@code too big bulk count string}, {@code too big inline request}). The
 *       rule is applied to the line itself, not to how much happens to be buffered, so the outcome never depends on
 *       how the bytes were split across reads.</li>
 *   <li>Memory follows the bytes received, never the lengths declared: a declared 1 GB bulk of which 10 bytes arrived
 *       holds about 10 bytes (bulks up to 16 KB are allocated at once), the argument array grows from at most 1024
 *       slots, and every buffer grows geometrically so slow senders cost linear, not quadratic, copying.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * A violation throws {@link RespProtocolException} with Redis's words, after the sink has received every command that
 * preceded the bad bytes. The decoder is then finished: it drops its buffers and every later {@link #decode} call
 * rethrows the same exception, since the stream can no longer be framed (Redis closes the connection).
 *
 * <p>Not thread-safe: one decoder per connection, used from the connection's event loop.
 */
public final class RespDecoder {

    /** Redis also starts the argument vector at this size and grows it, so a huge {@code *N} costs nothing up front. */
    private static final int ARGV_INITIAL_MAX = 1024;
    /** Bulks up to this length are allocated whole when their header arrives; longer ones grow as bytes arrive. */
    private static final int BULK_PREALLOC_MAX = 16 * 1024;
    /** A line buffer grown past this by one long line is released once the line is done. */
    private static final int LINE_KEEP_MAX = 4 * 1024;
    private static final byte[] EMPTY = new byte[0];

    private enum State {
        /** Between requests: the next byte says multibulk ({@code *}) or inline (anything else). */
        REQUEST_START,
        /** Reading the {@code *N} line. */
        MULTIBULK_COUNT,
        /** Reading a {@code $N} line inside a multibulk request. */
        BULK_LENGTH,
        /** Reading the {@code N} bytes of a bulk and its CRLF. */
        BULK_CONTENT,
        /** Reading an inline command line up to LF. */
        INLINE
    }

    private final RespLimits limits;
    private boolean authenticated = true;
    private State state = State.REQUEST_START;

    /** Partial header or inline line carried over from an earlier call, first byte included, terminator excluded. */
    private byte[] line = EMPTY;
    private int lineLen;
    /** The previous call ended right after the CR of a header line; the next byte must be its LF. */
    private boolean lineEndsWithCr;

    /** Where the header line just completed lies: either the caller's buffer or {@link #line}. */
    private byte[] headerArray;
    private int headerFrom;
    private int headerTo;

    /** The multibulk request being assembled. */
    private byte[][] argv;
    private int argc;
    private int argvExpected;
    private long argvBytes;

    /** The bulk being assembled when it spans calls. */
    private int bulkLen;
    private byte[] bulk;
    private int bulkFilled;
    private int bulkCrlfSeen;

    private RespProtocolException failure;

    public RespDecoder(RespLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Switches between Redis's limits for authenticated connections (the default) and the tight ones for connections
     * that still owe {@code AUTH}. Limits are applied when each length is read, so a sink that calls
     * {@code authenticated(true)} while it executes {@code AUTH} lifts them for the very next pipelined command.
     */
    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public boolean isAuthenticated() {
        return authenticated;
    }

    /**
     * Bytes of an unfinished request held for the next call: the partial line, the arguments already read and the part
     * of the current bulk received. A server may compare it with a query buffer limit.
     */
    public int bufferedBytes() {
        long total = lineLen + (lineEndsWithCr ? 1 : 0) + argvBytes + bulkFilled + bulkCrlfSeen;
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    /** Bytes of array capacity held between calls; for tests that bound memory. */
    long retainedCapacity() {
        long total = line.length + (bulk == null ? 0 : bulk.length) + argvBytes;
        if (argv != null) {
            total += 8L * argv.length;
        }
        return total;
    }

    /**
     * Decodes {@code buf[off, off + len)}, calling {@code sink} for each command completed by these bytes, in order, and
     * keeping any incomplete tail for the next call.
     *
     * @throws RespProtocolException if the bytes break the protocol or a limit; commands before the bad bytes have
     *     been delivered, and the decoder refuses any further input
     */
    public void decode(byte[] buf, int off, int len, CommandSink sink) throws RespProtocolException {
        if (failure != null) {
            throw failure;
        }
        Objects.checkFromIndexSize(off, len, buf.length);
        Objects.requireNonNull(sink, "sink");
        int pos = off;
        final int end = off + len;
        try {
            while (pos < end) {
                switch (state) {
                    case REQUEST_START -> state = buf[pos] == '*' ? State.MULTIBULK_COUNT : State.INLINE;
                    case MULTIBULK_COUNT -> pos = multibulkCount(buf, pos, end);
                    case BULK_LENGTH -> pos = bulkLength(buf, pos, end);
                    case BULK_CONTENT -> pos = bulkContent(buf, pos, end, sink);
                    case INLINE -> pos = inline(buf, pos, end, sink);
                }
            }
        } catch (RespProtocolException e) {
            fail(e);
            throw e;
        }
    }

    /** Convenience for a whole array. */
    public void decode(byte[] buf, CommandSink sink) throws RespProtocolException {
        decode(buf, 0, buf.length, sink);
    }

    private void fail(RespProtocolException e) {
        failure = e;
        line = EMPTY;
        lineLen = 0;
        lineEndsWithCr = false;
        argv = null;
        argc = 0;
        argvBytes = 0;
        bulk = null;
        bulkFilled = 0;
        bulkCrlfSeen = 0;
    }

    // ---- states ------------------------------------------------------------------------------------------------

    private int multibulkCount(byte[] buf, int pos, int end) throws RespProtocolException {
        int next = headerLine(buf, pos, end, RespProtocolException.TOO_BIG_MBULK_COUNT_STRING, false);
        if (next < 0) {
            return end;
        }
        long count = parseLength(headerArray, headerFrom + 1, headerTo, RespProtocolException.INVALID_MULTIBULK_LENGTH);
        lineDone();
        if (count > limits.maxMultibulkLen()) {
            throw new RespProtocolException(RespProtocolException.INVALID_MULTIBULK_LENGTH);
        }
        if (!authenticated && count > RespLimits.UNAUTHENTICATED_MAX_MULTIBULK_LEN) {
            throw new RespProtocolException(RespProtocolException.UNAUTHENTICATED_MULTIBULK_LENGTH);
        }
        if (count <= 0) {
            state = State.REQUEST_START; // "*0" and "*-1" are empty requests; Redis skips them
            return next;
        }
        argvExpected = (int) count;
        argv = new byte[(int) Math.min(count, ARGV_INITIAL_MAX)][];
        argc = 0;
        argvBytes = 0;
        state = State.BULK_LENGTH;
        return next;
    }

    private int bulkLength(byte[] buf, int pos, int end) throws RespProtocolException {
        int next = headerLine(buf, pos, end, RespProtocolException.TOO_BIG_BULK_COUNT_STRING, true);
        if (next < 0) {
            return end;
        }
        long len = parseLength(headerArray, headerFrom + 1, headerTo, RespProtocolException.INVALID_BULK_LENGTH);
        lineDone();
        if (len < 0 || len > limits.maxBulkLen()) {
            throw new RespProtocolException(RespProtocolException.INVALID_BULK_LENGTH);
        }
        if (!authenticated && len > RespLimits.UNAUTHENTICATED_MAX_BULK_LEN) {
            throw new RespProtocolException(RespProtocolException.UNAUTHENTICATED_BULK_LENGTH);
        }
        bulkLen = (int) len;
        bulk = null;
        bulkFilled = 0;
        bulkCrlfSeen = 0;
        state = State.BULK_CONTENT;
        return next;
    }

    private int bulkContent(byte[] buf, int pos, int end, CommandSink sink) throws RespProtocolException {
        if (bulkFilled == 0 && bulkCrlfSeen == 0 && end - pos >= (long) bulkLen + 2) {
            // The whole bulk is here: one copy, straight from the caller's buffer.
            int crlf = pos + bulkLen;
            if (buf[crlf] != '\r' || buf[crlf + 1] != '\n') {
                throw new RespProtocolException(RespProtocolException.INVALID_CRLF);
            }
            return argument(Arrays.copyOfRange(buf, pos, crlf), crlf + 2, sink);
        }
        if (bulkFilled < bulkLen) {
            int take = Math.min(end - pos, bulkLen - bulkFilled);
            ensureBulkCapacity(bulkFilled + take);
            System.arraycopy(buf, pos, bulk, bulkFilled, take);
            bulkFilled += take;
            pos += take;
        }
        while (bulkFilled == bulkLen && bulkCrlfSeen < 2 && pos < end) {
            byte expected = bulkCrlfSeen == 0 ? (byte) '\r' : (byte) '\n';
            if (buf[pos] != expected) {
                throw new RespProtocolException(RespProtocolException.INVALID_CRLF);
            }
            bulkCrlfSeen++;
            pos++;
        }
        if (bulkCrlfSeen < 2) {
            return end;
        }
        // Growth is capped at bulkLen, so a finished bulk fills its array exactly.
        byte[] arg = bulkLen == 0 ? EMPTY : bulk;
        bulk = null;
        bulkFilled = 0;
        bulkCrlfSeen = 0;
        return argument(arg, pos, sink);
    }

    private int argument(byte[] arg, int next, CommandSink sink) {
        if (argc == argv.length) {
            argv = Arrays.copyOf(argv, (int) Math.min((long) argv.length * 2, argvExpected));
        }
        argv[argc++] = arg;
        argvBytes += arg.length;
        if (argc < argvExpected) {
            state = State.BULK_LENGTH;
            return next;
        }
        byte[][] command = argv;
        argv = null;
        argc = 0;
        argvBytes = 0;
        state = State.REQUEST_START;
        sink.command(command);
        return next;
    }

    private int inline(byte[] buf, int pos, int end, CommandSink sink) throws RespProtocolException {
        int max = limits.maxInlineLen();
        int room = max + 1 - lineLen; // a line may hold max bytes before its LF
        int limit = (int) Math.min(end, (long) pos + room);
        int lf = indexOf(buf, pos, limit, (byte) '\n');
        if (lf < 0) {
            if (limit - pos >= room) {
                throw new RespProtocolException(RespProtocolException.TOO_BIG_INLINE_REQUEST);
            }
            appendLine(buf, pos, end);
            return end;
        }
        byte[][] args;
        if (lineLen == 0) {
            args = InlineTokenizer.split(buf, pos, stripCr(buf, pos, lf));
        } else {
            appendLine(buf, pos, lf);
            args = InlineTokenizer.split(line, 0, stripCr(line, 0, lineLen));
            lineDone();
        }
        state = State.REQUEST_START;
        if (args.length > 0) {
            sink.command(args); // an empty line is no command
        }
        return lf + 1;
    }

    // ---- lines -------------------------------------------------------------------------------------------------

    /**
     * Completes a header line ({@code *N} or {@code $N}) that ends at the first CR, which must be followed by LF. On
     * success sets {@link #headerArray}/{@link #headerFrom}/{@link #headerTo} to the line without CRLF and returns the
     * position after the LF; returns -1 when the buffer ended first (the partial line is kept).
     */
    private int headerLine(byte[] buf, int pos, int end, String tooBig, boolean bulkHeader)
            throws RespProtocolException {
        if (lineEndsWithCr) {
            lineEndsWithCr = false;
            return headerComplete(line, 0, lineLen, buf[pos], bulkHeader, pos + 1);
        }
        int max = limits.maxInlineLen();
        int room = max + 1 - lineLen;
        int limit = (int) Math.min(end, (long) pos + room);
        int cr = indexOf(buf, pos, limit, (byte) '\r');
        if (cr < 0) {
            if (limit - pos >= room) {
                throw new RespProtocolException(tooBig);
            }
            appendLine(buf, pos, end);
            return -1;
        }
        if (lineLen > 0 || cr + 1 == end) {
            appendLine(buf, pos, cr);
            if (cr + 1 == end) {
                lineEndsWithCr = true;
                return -1;
            }
            return headerComplete(line, 0, lineLen, buf[cr + 1], bulkHeader, cr + 2);
        }
        return headerComplete(buf, pos, cr, buf[cr + 1], bulkHeader, cr + 2);
    }

    private int headerComplete(byte[] array, int from, int to, byte afterCr, boolean bulkHeader, int next)
            throws RespProtocolException {
        if (bulkHeader) {
            // Redis looks at the type byte before the number; an empty line shows the CR that ended it.
            byte first = to > from ? array[from] : (byte) '\r';
            if (first != '$') {
                throw RespProtocolException.expectedDollar(first);
            }
        }
        if (afterCr != '\n') {
            throw new RespProtocolException(RespProtocolException.INVALID_CRLF);
        }
        headerArray = array;
        headerFrom = from;
        headerTo = to;
        return next;
    }

    private void appendLine(byte[] buf, int from, int to) {
        int n = to - from;
        if (n == 0) {
            return;
        }
        if (lineLen + n > line.length) {
            int cap = Math.max(64, Math.max(lineLen + n, line.length * 2));
            line = Arrays.copyOf(line, Math.min(cap, limits.maxInlineLen() + 2));
        }
        System.arraycopy(buf, from, line, lineLen, n);
        lineLen += n;
    }

    private void lineDone() {
        lineLen = 0;
        if (line.length > LINE_KEEP_MAX) {
            line = EMPTY;
        }
    }

    private void ensureBulkCapacity(int needed) {
        if (bulk == null) {
            bulk = new byte[bulkLen <= BULK_PREALLOC_MAX ? bulkLen : needed];
        } else if (needed > bulk.length) {
            bulk = Arrays.copyOf(bulk, (int) Math.min(bulkLen, Math.max(needed, 2L * bulk.length)));
        }
    }

    private static int stripCr(byte[] a, int from, int lf) {
        return lf > from && a[lf - 1] == '\r' ? lf - 1 : lf;
    }

    private static int indexOf(byte[] a, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Parses {@code a[from, to)} as Redis's {@code string2ll} does: optional '-', no '+', no leading zeros, no blanks,
     * at most 20 characters, within {@code long}.
     */
    static long parseLength(byte[] a, int from, int to, String error) throws RespProtocolException {
        int len = to - from;
        if (len <= 0 || len > 20) {
            throw new RespProtocolException(error);
        }
        if (len == 1 && a[from] == '0') {
            return 0;
        }
        int p = from;
        boolean negative = a[p] == '-';
        if (negative && ++p == to) {
            throw new RespProtocolException(error);
        }
        int digit = a[p++] - '0';
        if (digit < 1 || digit > 9) {
            throw new RespProtocolException(error);
        }
        // Accumulate negatively so Long.MIN_VALUE parses, as Long.parseLong does.
        long limit = negative ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multmin = limit / 10;
        long acc = -digit;
        while (p < to) {
            digit = a[p++] - '0';
            if (digit < 0 || digit > 9 || acc < multmin) {
                throw new RespProtocolException(error);
            }
            acc *= 10;
            if (acc < limit + digit) {
                throw new RespProtocolException(error);
            }
            acc -= digit;
        }
        return negative ? acc : -acc;
    }
}
