package io.hyperkv.store;

/**
 * Integer text as Redis reads and writes it ({@code string2ll}): optional minus, no plus, no
 * leading zeros, no spaces, within a signed 64-bit long. Strings that round-trip are what Redis
 * stores with the {@code int} encoding and what INCR accepts.
 */
public final class Numbers {

    private Numbers() {
    }

    /** The value, or null when the bytes are not a canonical long. */
    public static Long parseLong(byte[] s) {
        int n = s.length;
        if (n == 0 || n > 20) {
            return null;
        }
        if (n == 1 && s[0] == '0') {
            return 0L;
        }
        int i = 0;
        boolean negative = false;
        if (s[0] == '-') {
            negative = true;
            i = 1;
            if (n == 1) {
                return null;
            }
        }
        if (s[i] < '1' || s[i] > '9') {
            return null;
        }
        long v = 0;
        for (; i < n; i++) {
            int d = s[i] - '0';
            if (d < 0 || d > 9) {
                return null;
            }
            // accumulate negatively so Long.MIN_VALUE is reachable
            if (v < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            v = v * 10 - d;
        }
        if (negative) {
            return v;
        }
        return v == Long.MIN_VALUE ? null : -v;
    }

    public static byte[] longBytes(long v) {
        return Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
