package io.hyperkv.resp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the replies a RESP2 or RESP3 server sends (the client side of {@link RespEncoder}), for a node that relays a
 * command to another node. Bytes arrive in any chunks ({@link #feed}); every complete reply is handed to the consumer
 * in order, as the {@link Reply} its encoder would write back the same way (a RESP2 null array stays a null array).
 * RESP3 attributes ({@code |}) are skipped, as most clients do.
 *
 * <p>An incomplete reply is parsed again from its first byte when more bytes come: replies relayed between nodes are
 * small, and the simplicity is worth the rescan. A byte that cannot start a reply is a {@link RespProtocolException}:
 * the connection is then unusable. Not thread-safe.
 */
public final class ReplyParser {

    /** Thrown inside a parse when the buffer ends before the reply does. */
    private static final class Incomplete extends Exception {
        private static final Incomplete INSTANCE = new Incomplete();

        private Incomplete() {
            super(null, null, false, false);
        }
    }

    private byte[] buf = new byte[512];
    private int len;
    private int pos;

    /** Appends {@code bytes} and hands every reply they complete to {@code sink}. */
    public void feed(byte[] bytes, int off, int n, Consumer<Reply> sink) throws RespProtocolException {
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
        }
        System.arraycopy(bytes, off, buf, len, n);
        len += n;
        int start = 0;
        while (start < len) {
            pos = start;
            Reply r;
            try {
                r = read();
            } catch (Incomplete e) {
                break;
            }
            if (r != null) {
                sink.accept(r);
            }
            start = pos;
        }
        System.arraycopy(buf, start, buf, 0, len - start);
        len -= start;
    }

    /** One reply, or null for an attribute (which precedes the reply it describes). */
    private Reply read() throws Incomplete, RespProtocolException {
        byte type = next();
        return switch (type) {
            case '+' -> new Reply.SimpleString(line());
            case '-' -> new Reply.Error(line());
            case ':' -> new Reply.Int(number());
            case '$' -> {
                long n = number();
                yield n < 0 ? Reply.NULL : new Reply.Bulk(bytes(n));
            }
            case '*' -> {
                long n = number();
                yield n < 0 ? Reply.NULL_ARRAY : new Reply.Array(items(n));
            }
            case '%' -> new Reply.MapReply(items(2 * number()));
            case '~' -> new Reply.SetReply(items(number()));
            case '>' -> new Reply.Push(items(number()));
            case '_' -> {
                line();
                yield Reply.NULL;
            }
            case '#' -> new Reply.BooleanReply(line().equals("t"));
            case ',' -> new Reply.DoubleReply(decimal(line()));
            case '(' -> new Reply.BigNumber(line());
            case '=' -> {
                byte[] all = bytes(number());
                if (all.length < 4 || all[3] != ':') {
                    throw new RespProtocolException("Protocol error: a verbatim string without its format prefix");
                }
                yield new Reply.Verbatim(new String(all, 0, 3, StandardCharsets.US_ASCII),
                        Arrays.copyOfRange(all, 4, all.length));
            }
            case '|' -> {
                items(2 * number());
                yield null;
            }
            default -> throw new RespProtocolException("Protocol error: unexpected reply type byte '"
                    + (char) (type & 0xFF) + "'");
        };
    }

    private List<Reply> items(long n) throws Incomplete, RespProtocolException {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new RespProtocolException("Protocol error: aggregate of " + n + " elements");
        }
        List<Reply> items = new ArrayList<>((int) Math.min(n, 1024));
        while (items.size() < n) {
            Reply r = read();
            if (r != null) {
                items.add(r);
            }
        }
        return items;
    }

    private byte next() throws Incomplete {
        if (pos >= len) {
            throw Incomplete.INSTANCE;
        }
        return buf[pos++];
    }

    private String line() throws Incomplete {
        int start = pos;
        for (int i = pos; i + 1 < len; i++) {
            if (buf[i] == '\r' && buf[i + 1] == '\n') {
                pos = i + 2;
                return new String(buf, start, i - start, StandardCharsets.UTF_8);
            }
        }
        throw Incomplete.INSTANCE;
    }

    private long number() throws Incomplete, RespProtocolException {
        String text = line();
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new RespProtocolException("Protocol error: expected a number, got '" + text + "'");
        }
    }

    /** A RESP3 double: decimal text, {@code inf}, {@code -inf} or {@code nan}. */
    private static double decimal(String text) throws RespProtocolException {
        switch (text) {
            case "inf":
                return Double.POSITIVE_INFINITY;
            case "-inf":
                return Double.NEGATIVE_INFINITY;
            case "nan":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new RespProtocolException("Protocol error: expected a double, got '" + text + "'");
                }
        }
    }

    private byte[] bytes(long n) throws Incomplete, RespProtocolException {
        if (n > Integer.MAX_VALUE - 2) {
            throw new RespProtocolException("Protocol error: bulk of " + n + " bytes");
        }
        if (pos + n + 2 > len) {
            throw Incomplete.INSTANCE;
        }
        byte[] out = Arrays.copyOfRange(buf, pos, pos + (int) n);
        pos += (int) n + 2;
        return out;
    }
}
