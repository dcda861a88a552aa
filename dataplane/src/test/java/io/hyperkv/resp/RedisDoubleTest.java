package io.hyperkv.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RedisDoubleTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // special values and zero, as d2string writes them
        "NaN, nan", "Infinity, inf", "-Infinity, -inf", "0.0, 0", "-0.0, -0",
        // integral values inside ±2^62 use integer formatting
        "1.0, 1", "-3.0, -3", "1e15, 1000000000000000", "1e18, 1000000000000000000",
        "4.611686018427388E18, 4611686018427387904",
        // shortest round-trip digits, plain decimals from 1e-6 on
        "0.1, 0.1", "1.5, 1.5", "3.14159, 3.14159", "-2.5, -2.5", "0.3, 0.3", "0.001, 0.001", "1e-6, 0.000001",
        "123456.789, 123456.789", "1.7976931348623157E308, 1.7976931348623157e+308",
        // scientific below 1e-6 and for large non-integral magnitudes, exponent unpadded with a sign
        "1e-7, 1e-7", "1.5e-7, 1.5e-7", "-1.5e-7, -1.5e-7", "1.234567e-4, 1.234567e-4", "1.2345e-3, 0.0012345", "4.9E-324, 5e-324",
        "1e19, 1e+19", "1.5e300, 1.5e+300", "2.5e20, 2.5e+20",
        // large integral values past 2^62 that still print in full (fewer than ndigits + 7 trailing zeros)
        "1.2345678901234567E19, 12345678901234567000"
    })
    void formatsAsRedis(double value, String expected) {
        assertThat(RedisDouble.format(value)).isEqualTo(expected);
    }

    @Provide
    Arbitrary<Double> finiteDoubles() {
        Arbitrary<Double> anyBits = Arbitraries.longs().map(Double::longBitsToDouble)
                .filter(d -> !Double.isNaN(d) && !Double.isInfinite(d));
        Arbitrary<Double> everyday = Arbitraries.doubles().between(-1e6, 1e6).ofScale(4);
        return Arbitraries.oneOf(anyBits, everyday);
    }

    @Property(tries = 2000)
    void everyFiniteDoubleReadsBackExactly(@ForAll("finiteDoubles") double value) {
        String text = RedisDouble.format(value);
        assertThat(Double.parseDouble(text)).isEqualTo(value);
    }

    @Property(tries = 2000)
    void noShorterDecimalReadsBackToTheSameDouble(@ForAll("finiteDoubles") double value) {
        String text = RedisDouble.format(value);
        if (value == 0 || text.indexOf('.') < 0 && text.indexOf('e') < 0) {
            return; // integer formatting is exact by construction
        }
        BigDecimal written = new BigDecimal(text).stripTrailingZeros();
        int digits = written.precision();
        if (digits > 1) {
            BigDecimal exact = new BigDecimal(value);
            for (java.math.RoundingMode mode : new java.math.RoundingMode[] {java.math.RoundingMode.FLOOR,
                    java.math.RoundingMode.CEILING}) {
                BigDecimal shorter = exact.round(new java.math.MathContext(digits - 1, mode));
                assertThat(shorter.doubleValue()).as("%s has a shorter form %s", text, shorter).isNotEqualTo(value);
            }
        }
    }
}
