package io.hyperkv.resp;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes a {@link Reply} in RESP2 or RESP3, whichever the connection negotiated with {@code HELLO}.
 *
 * <p>RESP3 writes every shape natively. RESP2 degrades the RESP3-only shapes as Redis does: map to a flat array of
 * keys and values, set and push to arrays, double and big number to bulk strings, boolean to {@code :1}/{@code :0},
 * null to {@code $-1} (or {@code *-1} for a null array), verbatim to a bulk string of its text.
 *
 * <p>The hot path allocates nothing: lengths and integers are written digit by digit, and the frequent small frames
 * ({@code +OK}, {@code :0}, {@code :1}, {@code $-1}, {@code $n}/{@code *n}/{@code :n} headers for small n) come from
 * byte arrays built once. Simple strings and errors are one line by construction: a CR or LF in their text is written as
 * a space, as Redis does for error text, so a reply can never break the framing of the next one.
 */
public final class RespEncoder {

    public static final int RESP2 = 2;
    public static final int RESP3 = 3;

    private static final int CACHED = 1024;
    private static final byte[][] BULK_HEADERS = headers('$');
    private static final byte[][] ARRAY_HEADERS = headers('*');
    private static final byte[][] INTEGERS = headers(':');

    private static final byte[] CRLF = ascii("\r\n");
    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] PONG = ascii("+PONG\r\n");
    private static final byte[] QUEUED = ascii("+QUEUED\r\n");
    private static final byte[] MINUS_ONE = ascii(":-1\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");
    private static final byte[] NULL_ARRAY = ascii("*-1\r\n");
    private static final byte[] NULL3 = ascii("_\r\n");
    private static final byte[] TRUE3 = ascii("#t\r\n");
    private static final byte[] FALSE3 = ascii("#f\r\n");
    private static final byte[] LONG_MIN_DIGITS = ascii("9223372036854775808");

    private static final long[] POWERS_OF_TEN = new long[19];

    static {
        long p = 1;
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = p;
            p *= 10;
        }
    }

    private RespEncoder() {}

    /**
     * Writes {@code reply} to {@code out}.
     *
     * @param protocol 2 or 3, as negotiated by {@code HELLO}
     */
    public static void encode(Reply reply, int protocol, RespOutput out) {
        if (protocol != RESP2 && protocol != RESP3) {
            throw new IllegalArgumentException("protocol must be 2 or 3, was " + protocol);
        }
        write(reply, protocol == RESP3, out);
    }

    private static void write(Reply reply, boolean resp3, RespOutput out) {
        if (reply instanceof Reply.Bulk b) {
            writeBulk(b.bytes(), out);
        } else if (reply instanceof Reply.SimpleString s) {
            writeSimple(s, out);
        } else if (reply instanceof Reply.Int i) {
            writeInteger(i.value(), out);
        } else if (reply instanceof Reply.Null n) {
            out.writeBytes(resp3 ? NULL3 : n.array() ? NULL_ARRAY : NULL_BULK);
        } else if (reply instanceof Reply.Array a) {
            writeAggregate('*', a.items(), a.items().size(), resp3, out);
        } else if (reply instanceof Reply.Error e) {
            out.writeByte('-');
            writeLine(e.message(), out);
        } else if (reply instanceof Reply.MapReply m) {
            List<Reply> kv = m.keysAndValues();
            if ((kv.size() & 1) != 0) {
                throw new IllegalArgumentException("a map reply needs keys and values in pairs, got " + kv.size());
            }
            writeAggregate(resp3 ? '%' : '*', kv, resp3 ? kv.size() / 2 : kv.size(), resp3, out);
        } else if (reply instanceof Reply.SetReply s) {
            writeAggregate(resp3 ? '~' : '*', s.items(), s.items().size(), resp3, out);
        } else if (reply instanceof Reply.DoubleReply d) {
            byte[] text = ascii(RedisDouble.format(d.value()));
            if (resp3) {
                out.writeByte(',');
                out.writeBytes(text);
                out.writeBytes(CRLF);
            } else {
                writeBulk(text, out);
            }
        } else if (reply instanceof Reply.BooleanReply b) {
            if (resp3) {
                out.writeBytes(b.value() ? TRUE3 : FALSE3);
            } else {
                out.writeBytes(INTEGERS[b.value() ? 1 : 0]);
            }
        } else if (reply instanceof Reply.BigNumber n) {
            if (resp3) {
                out.writeByte('(');
                writeLine(n.digits(), out);
            } else {
                writeBulk(ascii(n.digits()), out);
            }
        } else if (reply instanceof Reply.Verbatim v) {
            if (resp3) {
                byte[] format = ascii(v.format());
                if (format.length != 3) {
                    throw new IllegalArgumentException("a verbatim format is three characters, got " + v.format());
                }
                writeHeader('=', 4L + v.text().length, out);
                out.writeBytes(format);
                out.writeByte(':');
                out.writeBytes(v.text());
                out.writeBytes(CRLF);
            } else {
                writeBulk(v.text(), out);
            }
        } else if (reply instanceof Reply.Push p) {
            writeAggregate(resp3 ? '>' : '*', p.items(), p.items().size(), resp3, out);
        } else {
            throw new IllegalArgumentException("unknown reply " + reply);
        }
    }

    private static void writeAggregate(char type, List<Reply> items, int count, boolean resp3, RespOutput out) {
        if (type == '*' && count < CACHED) {
            out.writeBytes(ARRAY_HEADERS[count]);
        } else {
            writeHeader(type, count, out);
        }
        for (int i = 0, n = items.size(); i < n; i++) {
            write(items.get(i), resp3, out);
        }
    }

    private static void writeBulk(byte[] bytes, RespOutput out) {
        int len = bytes.length;
        if (len < CACHED) {
            out.writeBytes(BULK_HEADERS[len]);
        } else {
            writeHeader('$', len, out);
        }
        out.writeBytes(bytes, 0, len);
        out.writeBytes(CRLF);
    }

    private static void writeInteger(long value, RespOutput out) {
        if (value >= 0 && value < CACHED) {
            out.writeBytes(INTEGERS[(int) value]);
        } else if (value == -1) {
            out.writeBytes(MINUS_ONE);
        } else {
            writeHeader(':', value, out);
        }
    }

    private static void writeSimple(Reply.SimpleString s, RespOutput out) {
        if (s == Reply.OK) {
            out.writeBytes(OK);
        } else if (s == Reply.PONG) {
            out.writeBytes(PONG);
        } else if (s == Reply.QUEUED) {
            out.writeBytes(QUEUED);
        } else {
            out.writeByte('+');
            writeLine(s.text(), out);
        }
    }

    /** {@code type}, the decimal value, CRLF. */
    private static void writeHeader(char type, long value, RespOutput out) {
        out.writeByte(type);
        writeDecimal(value, out);
        out.writeBytes(CRLF);
    }

    private static void writeDecimal(long value, RespOutput out) {
        if (value < 0) {
            out.writeByte('-');
            if (value == Long.MIN_VALUE) {
                out.writeBytes(LONG_MIN_DIGITS);
                return;
            }
            value = -value;
        }
        int digits = 1;
        while (digits < POWERS_OF_TEN.length && value >= POWERS_OF_TEN[digits]) {
            digits++;
        }
        for (int i = digits - 1; i >= 0; i--) {
            long power = POWERS_OF_TEN[i];
            long digit = value / power;
            out.writeByte('0' + (int) digit);
            value -= digit * power;
        }
    }

    /** Text of a simple string, error or big number, then CRLF; CR and LF inside become spaces. */
    private static void writeLine(String text, RespOutput out) {
        int n = text.length();
        boolean ascii = true;
        for (int i = 0; i < n && ascii; i++) {
            ascii = text.charAt(i) < 0x80;
        }
        if (ascii) {
            for (int i = 0; i < n; i++) {
                char c = text.charAt(i);
                out.writeByte(c == '\r' || c == '\n' ? ' ' : c);
            }
        } else {
            byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < utf8.length; i++) {
                if (utf8[i] == '\r' || utf8[i] == '\n') {
                    utf8[i] = ' ';
                }
            }
            out.writeBytes(utf8);
        }
        out.writeBytes(CRLF);
    }

    private static byte[][] headers(char type) {
        byte[][] table = new byte[CACHED][];
        for (int i = 0; i < CACHED; i++) {
            table[i] = ascii(type + Integer.toString(i) + "\r\n");
        }
        return table;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
