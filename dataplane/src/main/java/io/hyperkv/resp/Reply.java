package io.hyperkv.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A reply in the RESP3 data model. {@link RespEncoder} writes it in RESP2 or RESP3, whichever the
 * connection negotiated with {@code HELLO}; RESP2 degrades the RESP3-only shapes the way Redis does
 * (map and set to a flat array, double and big number to a bulk string, boolean to an integer,
 * null to a null bulk string or null array, push to an array).
 */
public sealed interface Reply {

    Reply OK = new SimpleString("OK");
    Reply PONG = new SimpleString("PONG");
    Reply QUEUED = new SimpleString("QUEUED");
    Reply NULL = new Null(false);
    Reply NULL_ARRAY = new Null(true);
    Reply ZERO = new Int(0);
    Reply ONE = new Int(1);
    Reply EMPTY_ARRAY = new Array(List.of());
    /** Not a reply: a handler parked its client (a blocking pop); the real reply comes later. */
    Reply DEFERRED = new Deferred();

    /** {@code +text}; text must not contain CR or LF. */
    record SimpleString(String text) implements Reply {}

    /**
     * {@code -CODE message}: the full line after the dash, code included, e.g.
     * {@code "ERR syntax error"} or {@code "WRONGTYPE Operation against a key holding the wrong kind of value"}.
     */
    record Error(String message) implements Reply {}

    /** {@code :n}. */
    record Int(long value) implements Reply {}

    /** {@code $len\r\nbytes}. */
    record Bulk(byte[] bytes) implements Reply {}

    /** RESP3 {@code _}; in RESP2 {@code $-1} or, when {@code array}, {@code *-1}. */
    record Null(boolean array) implements Reply {}

    /** {@code *n} followed by the elements. */
    record Array(List<Reply> items) implements Reply {}

    /** RESP3 {@code %n} (key, value) pairs; RESP2 a flat array of 2n elements. */
    record MapReply(List<Reply> keysAndValues) implements Reply {}

    /** RESP3 {@code ~n}; RESP2 an array. */
    record SetReply(List<Reply> items) implements Reply {}

    /** RESP3 {@code ,d}; RESP2 a bulk string formatted as Redis formats doubles. */
    record DoubleReply(double value) implements Reply {}

    /** RESP3 {@code #t}/{@code #f}; RESP2 {@code :1}/{@code :0}. */
    record BooleanReply(boolean value) implements Reply {}

    /** RESP3 {@code (n}; RESP2 a bulk string. */
    record BigNumber(String digits) implements Reply {}

    /** RESP3 {@code =len\r\nfmt:text}; RESP2 a bulk string of the text. */
    record Verbatim(String format, byte[] text) implements Reply {}

    /** RESP3 {@code >n} out-of-band push (pub/sub messages); RESP2 an array. */
    record Push(List<Reply> items) implements Reply {}

    /**
     * The marker a handler returns after {@code ClientSession.block}: the connection sends nothing
     * now and answers when the block ends (served, timed out, unblocked). Never encoded.
     */
    record Deferred() implements Reply {}

    static Reply error(String message) {
        return new Error(message);
    }

    static Reply integer(long value) {
        return value == 0 ? ZERO : value == 1 ? ONE : new Int(value);
    }

    static Reply bulk(byte[] bytes) {
        return bytes == null ? NULL : new Bulk(bytes);
    }

    static Reply bulk(String text) {
        return text == null ? NULL : new Bulk(text.getBytes(StandardCharsets.UTF_8));
    }

    static Reply simple(String text) {
        return new SimpleString(text);
    }

    static Reply array(List<Reply> items) {
        return new Array(items);
    }
}
