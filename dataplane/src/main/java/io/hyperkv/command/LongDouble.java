package io.hyperkv.command;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;

/**
 * The arithmetic of the x87 80-bit {@code long double} Redis uses for INCRBYFLOAT, emulated
 * exactly with BigDecimal: a value is rounded (half to even) to a 64-bit significand, as
 * {@code strtold} and the FPU do. This is why Redis prints {@code 10.6 + 5000} as
 * {@code 5010.60000000000000009}, and why HyperKV must too.
 */
final class LongDouble {

    private static final int SIGNIFICAND_BITS = 64;

    private LongDouble() {
    }

    /** The long double nearest to {@code x}, as an exact decimal. */
    static BigDecimal round(BigDecimal x) {
        if (x.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal abs = x.abs();
        // e such that 2^63 <= abs / 2^e < 2^64; start from an estimate and correct it
        int e = (int) Math.floor(log2(abs)) - (SIGNIFICAND_BITS - 1);
        BigDecimal scaled = scale(abs, -e);
        while (scaled.compareTo(new BigDecimal(BigInteger.ONE.shiftLeft(SIGNIFICAND_BITS))) >= 0) {
            e++;
            scaled = scale(abs, -e);
        }
        while (scaled.compareTo(new BigDecimal(BigInteger.ONE.shiftLeft(SIGNIFICAND_BITS - 1))) < 0) {
            e--;
            scaled = scale(abs, -e);
        }
        BigInteger significand = scaled.setScale(0, RoundingMode.HALF_EVEN).toBigIntegerExact();
        BigDecimal rounded = scale(new BigDecimal(significand), e);
        return x.signum() < 0 ? rounded.negate() : rounded;
    }

    /** {@code x * 2^power}, exactly. */
    private static BigDecimal scale(BigDecimal x, int power) {
        if (power >= 0) {
            return x.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(power)));
        }
        // 2^-n = 5^n / 10^n, exact
        return x.multiply(new BigDecimal(BigInteger.valueOf(5).pow(-power))).scaleByPowerOfTen(power);
    }

    private static double log2(BigDecimal v) {
        int digits = v.precision() - v.scale();
        BigDecimal mantissa = v.scaleByPowerOfTen(-digits);
        return (Math.log(mantissa.doubleValue()) + digits * Math.log(10)) / Math.log(2);
    }
}
