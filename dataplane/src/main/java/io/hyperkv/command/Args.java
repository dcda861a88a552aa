package io.hyperkv.command;

import io.hyperkv.store.Numbers;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Argument parsing with Redis's acceptance rules; failures throw {@link CommandError} with Redis's words. */
public final class Args {

    private Args() {
    }

    public static String text(byte[] arg) {
        return new String(arg, StandardCharsets.UTF_8);
    }

    public static boolean is(byte[] arg, String lowerAscii) {
        if (arg.length != lowerAscii.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            int b = arg[i] & 0xFF;
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != lowerAscii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    public static String lower(byte[] arg) {
        return text(arg).toLowerCase(Locale.ROOT);
    }

    /** A signed 64-bit integer written canonically (string2ll), else "value is not an integer or out of range". */
    public static long integer(byte[] arg) {
        Long v = Numbers.parseLong(arg);
        if (v == null) {
            throw new CommandError(Errors.NOT_INTEGER);
        }
        return v;
    }

    /**
     * A float as Redis's {@code string2ld} accepts it: decimal or exponent notation, no spaces, not
     * NaN. Parsed exactly (BigDecimal), so sums of decimal inputs print as Redis's long double does.
     */
    public static BigDecimal decimal(byte[] arg) {
        BigDecimal v = parseDecimal(arg);
        if (v == null) {
            throw new CommandError(Errors.NOT_FLOAT);
        }
        return v;
    }

    static BigDecimal parseDecimal(byte[] arg) {
        if (arg.length == 0 || arg.length > 5000) {
            return null;
        }
        String s = new String(arg, StandardCharsets.ISO_8859_1);
        char first = s.charAt(0);
        char last = s.charAt(s.length() - 1);
        if (Character.isWhitespace(first) || Character.isWhitespace(last)) {
            return null;
        }
        try {
            BigDecimal v = new BigDecimal(s);
            // outside long double's range Redis gets inf and refuses; BigDecimal would not
            if (v.abs().compareTo(BigDecimal.ONE.scaleByPowerOfTen(4932)) > 0) {
                return null;
            }
            return v;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
