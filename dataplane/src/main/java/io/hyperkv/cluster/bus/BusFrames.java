package io.hyperkv.cluster.bus;

import io.hyperkv.resp.ByteArrayRespOutput;
import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespEncoder;
import io.hyperkv.resp.RespLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Framing of bus messages: every message, in both directions, is a RESP array of bulk strings whose first element is
 * the verb ({@code HKV.PING}), so one {@link io.hyperkv.resp.RespDecoder} reads both sides and
 * {@link RespEncoder} writes them. Before the handshake completes the decoder runs with Redis's unauthenticated
 * limits (10 elements, 16 KB bulks); after it, with {@link #ESTABLISHED_LIMITS}.
 */
public final class BusFrames {

    /** Limits once a peer has proven the secret: a delta batch or a topology document fits, a runaway length does not. */
    public static final RespLimits ESTABLISHED_LIMITS = new RespLimits(64L * 1024 * 1024, 1 << 20, 4096);

    public static final String HELLO = "HKV.HELLO";
    public static final String CHALLENGE = "HKV.CHALLENGE";
    public static final String AUTH = "HKV.AUTH";
    public static final String WELCOME = "HKV.WELCOME";
    public static final String ERROR = "HKV.ERROR";
    public static final String PING = "HKV.PING";
    public static final String PONG = "HKV.PONG";
    public static final String TOPOLOGY = "HKV.TOPOLOGY";
    public static final String DELTAS = "HKV.DELTAS";
    public static final String ACK = "HKV.ACK";
    public static final String NACK = "HKV.NACK";

    private BusFrames() {
    }

    /** The RESP bytes of one message. */
    public static byte[] encode(byte[]... argv) {
        List<Reply> items = new ArrayList<>(argv.length);
        int size = 16;
        for (byte[] a : argv) {
            items.add(new Reply.Bulk(a));
            size += a.length + 16;
        }
        ByteArrayRespOutput out = new ByteArrayRespOutput(size);
        RespEncoder.encode(new Reply.Array(items), RespEncoder.RESP2, out);
        return out.toByteArray();
    }

    /** The RESP bytes of a message whose elements are all text. */
    public static byte[] encode(String... argv) {
        return encode(argv(argv));
    }

    /** Text elements as a message's argument vector. */
    public static byte[][] argv(String... words) {
        byte[][] argv = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            argv[i] = ascii(words[i]);
        }
        return argv;
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    public static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The verb of a message, as printable text of at most 32 characters (for error messages about garbage). */
    public static String verb(byte[][] argv) {
        String v = text(argv[0]);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length() && sb.length() < 32; i++) {
            char c = v.charAt(i);
            sb.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }

    /** Reads a decimal long element, with an error naming what it was. */
    public static long parseLong(byte[][] argv, int index, String what) throws BusProtocolException {
        if (index >= argv.length) {
            throw new BusProtocolException(verb(argv) + " has no " + what);
        }
        String s = text(argv[index]);
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BusProtocolException(verb(argv) + " has an invalid " + what + ": \""
                    + (s.length() > 32 ? s.substring(0, 32) + "..." : s) + "\"");
        }
    }
}
