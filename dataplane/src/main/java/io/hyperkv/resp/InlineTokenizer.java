package io.hyperkv.resp;

import java.util.Arrays;

/**
 * Splits an inline command line ({@code SET k "a b"}) into arguments with the quoting rules of Redis's
 * {@code sdssplitargs}, so {@code redis-cli}-style and telnet input means the same here as in Redis:
 *
 * <ul>
 *   <li>arguments are separated by blanks (space, tab, CR, LF, VT, FF);</li>
 *   <li>{@code "..."} may contain {@code \xHH} (two hex digits) and the escapes {@code \n \r \t \b \a}; a backslash
 *       before any other byte stands for that byte;</li>
 *   <li>{@code '...'} is literal except {@code \'};</li>
 *   <li>a quote may start in the middle of an argument ({@code a"b c"} is one argument {@code ab c}), but a closing
 *       quote must be followed by a blank or the end of the line;</li>
 *   <li>an unterminated quote, or a closing quote followed by anything else, is
 *       {@link RespProtocolException#UNBALANCED_QUOTES};</li>
 *   <li>Redis parses the line as a C string, so a NUL byte ends it: what follows a NUL is ignored.</li>
 * </ul>
 */
final class InlineTokenizer {

    private static final byte[][] NO_ARGS = new byte[0][];

    private InlineTokenizer() {}

    /** The arguments of {@code line[from, to)}, which excludes the line terminator; empty for a blank line. */
    static byte[][] split(byte[] line, int from, int to) throws RespProtocolException {
        int end = from;
        while (end < to && line[end] != 0) {
            end++;
        }
        byte[][] args = NO_ARGS;
        int argc = 0;
        byte[] token = null;
        int p = from;
        while (true) {
            while (p < end && isBlank(line[p])) {
                p++;
            }
            if (p >= end) {
                return argc == args.length ? args : Arrays.copyOf(args, argc);
            }
            if (token == null) {
                token = new byte[end - from]; // no argument is longer than the line
            }
            int n = 0;
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done) {
                int c = at(line, p, end);
                if (inDouble) {
                    if (c == '\\' && at(line, p + 1, end) == 'x'
                            && isHex(at(line, p + 2, end)) && isHex(at(line, p + 3, end))) {
                        token[n++] = (byte) (hex(at(line, p + 2, end)) * 16 + hex(at(line, p + 3, end)));
                        p += 3;
                    } else if (c == '\\' && at(line, p + 1, end) != 0) {
                        p++;
                        token[n++] = unescape(at(line, p, end));
                    } else if (c == '"') {
                        int next = at(line, p + 1, end);
                        if (next != 0 && !isBlank((byte) next)) {
                            throw new RespProtocolException(RespProtocolException.UNBALANCED_QUOTES);
                        }
                        done = true;
                    } else if (c == 0) {
                        throw new RespProtocolException(RespProtocolException.UNBALANCED_QUOTES);
                    } else {
                        token[n++] = (byte) c;
                    }
                } else if (inSingle) {
                    if (c == '\\' && at(line, p + 1, end) == '\'') {
                        p++;
                        token[n++] = '\'';
                    } else if (c == '\'') {
                        int next = at(line, p + 1, end);
                        if (next != 0 && !isBlank((byte) next)) {
                            throw new RespProtocolException(RespProtocolException.UNBALANCED_QUOTES);
                        }
                        done = true;
                    } else if (c == 0) {
                        throw new RespProtocolException(RespProtocolException.UNBALANCED_QUOTES);
                    } else {
                        token[n++] = (byte) c;
                    }
                } else {
                    switch (c) {
                        // Only these end an unquoted argument; VT and FF are kept, as in Redis.
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDouble = true;
                        case '\'' -> inSingle = true;
                        default -> token[n++] = (byte) c;
                    }
                }
                if (p < end) {
                    p++;
                }
            }
            if (argc == args.length) {
                args = Arrays.copyOf(args, Math.max(4, argc * 2));
            }
            args[argc++] = Arrays.copyOf(token, n);
        }
    }

    /** The byte at {@code i} as 0..255, or 0 past the end: the NUL terminator the C code sees. */
    private static int at(byte[] line, int i, int end) {
        return i < end ? line[i] & 0xFF : 0;
    }

    /** C's {@code isspace} in the "C" locale. */
    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0B || b == '\f';
    }

    private static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(int c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }

    private static byte unescape(int c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> (byte) c;
        };
    }
}
