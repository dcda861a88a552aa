package io.hyperkv.resp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats a double the way Redis 7.2+ writes one in a reply ({@code d2string} in util.c): the text of a RESP3
 * {@code ,double} and of the RESP2 bulk string that replaces it.
 *
 * <ul>
 *   <li>{@code nan}, {@code inf}, {@code -inf}; {@code 0} and {@code -0};</li>
 *   <li>an integral value within ±2<sup>62</sup> as a plain integer: {@code 1.0} is {@code "1"}, {@code 1e18} is
 *       {@code "1000000000000000000"};</li>
 *   <li>anything else with the fewest significant digits that read back as the same double ({@code 0.1}, not
 *       {@code 0.10000000000000001}), laid out as Redis's {@code fpconv_dtoa} lays them out: plain decimals from
 *       1e-6 on ({@code 0.000001}), scientific below ({@code 1e-7}, {@code 1.5e-7}), and an unpadded exponent with
 *       an explicit sign ({@code 1.5e+300}).</li>
 * </ul>
 *
 * Redis finds its digits with Grisu2, which on rare inputs returns one digit more than the shortest; we always return
 * the shortest, so such inputs differ in text but never in value.
 */
public final class RedisDouble {

    /** {@code LLONG_MAX / 2}: Redis prints integral doubles inside this range with integer formatting. */
    private static final double INTEGRAL_RANGE = (double) (Long.MAX_VALUE / 2);

    private RedisDouble() {}

    public static String format(double value) {
        if (Double.isNaN(value)) {
            return "nan";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "inf" : "-inf";
        }
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? "-0" : "0";
        }
        if (value >= -INTEGRAL_RANGE && value <= INTEGRAL_RANGE) {
            long integral = (long) value;
            if (integral == value) {
                return Long.toString(integral);
            }
        }
        double magnitude = Math.abs(value);
        BigDecimal digits = shortest(magnitude).stripTrailingZeros();
        String layout = layout(digits.unscaledValue().toString(), -digits.scale());
        return value < 0 ? "-" + layout : layout;
    }

    /** The decimal with the fewest significant digits that parses back to {@code magnitude}, nearest if several. */
    private static BigDecimal shortest(double magnitude) {
        BigDecimal exact = new BigDecimal(magnitude);
        int upper = significantDigits(Double.toString(magnitude)); // round-trips, so the shortest is no longer
        BigDecimal best = nearestRoundTrip(exact, magnitude, upper);
        if (best == null) {
            return new BigDecimal(Double.toString(magnitude));
        }
        // If p digits can round-trip, p + 1 can too (append a zero), so stop at the first length that cannot.
        for (int p = upper - 1; p >= 1; p--) {
            BigDecimal candidate = nearestRoundTrip(exact, magnitude, p);
            if (candidate == null) {
                break;
            }
            best = candidate;
        }
        return best;
    }

    /**
     * Of the p-digit decimals just below and just above the exact value, the nearest one that parses back to
     * {@code magnitude}; null if neither does (then no p-digit decimal does, the round-trip interval being convex).
     */
    private static BigDecimal nearestRoundTrip(BigDecimal exact, double magnitude, int p) {
        BigDecimal down = exact.round(new MathContext(p, RoundingMode.FLOOR));
        BigDecimal up = exact.round(new MathContext(p, RoundingMode.CEILING));
        boolean downOk = down.doubleValue() == magnitude;
        boolean upOk = up.doubleValue() == magnitude;
        if (downOk && upOk) {
            int cmp = exact.subtract(down).compareTo(up.subtract(exact));
            if (cmp != 0) {
                return cmp < 0 ? down : up;
            }
            return down.unscaledValue().testBit(0) ? up : down; // a tie goes to the even last digit
        }
        return downOk ? down : upOk ? up : null;
    }

    private static int significantDigits(String javaText) {
        int count = 0;
        int pendingZeros = 0;
        boolean started = false;
        for (int i = 0; i < javaText.length(); i++) {
            char c = javaText.charAt(i);
            if (c == 'E') {
                break;
            }
            if (c < '0' || c > '9') {
                continue;
            }
            if (c == '0') {
                if (started) {
                    pendingZeros++;
                }
            } else {
                started = true;
                count += pendingZeros + 1;
                pendingZeros = 0;
            }
        }
        return Math.max(1, count);
    }

    /** Redis's {@code emit_digits}: {@code digits × 10^k}, with no leading or trailing zeros in {@code digits}. */
    private static String layout(String digits, int k) {
        int n = digits.length();
        int exponent = Math.abs(k + n - 1);
        StringBuilder out = new StringBuilder(n + 8);
        if (k >= 0 && exponent < n + 7) {
            out.append(digits);
            out.append("0".repeat(k));
            return out.toString();
        }
        if (k < 0 && (k > -7 || exponent < 4)) {
            int point = n + k;
            if (point <= 0) {
                out.append("0.").append("0".repeat(-point)).append(digits);
            } else {
                out.append(digits, 0, point).append('.').append(digits, point, n);
            }
            return out.toString();
        }
        out.append(digits.charAt(0));
        if (n > 1) {
            out.append('.').append(digits, 1, n);
        }
        out.append('e').append(k + n - 1 < 0 ? '-' : '+').append(exponent);
        return out.toString();
    }
}
