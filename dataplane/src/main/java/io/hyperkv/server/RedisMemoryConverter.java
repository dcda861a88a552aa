package io.hyperkv.server;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads a byte count written the way redis.conf writes it: a plain number, or a number followed by
 * {@code k}/{@code m}/{@code g} (powers of 1000) or {@code kb}/{@code mb}/{@code gb} (powers of 1024),
 * in any letter case. Anything else, or a negative value, is rejected with the offending text.
 */
public final class RedisMemoryConverter implements Converter<Long> {

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    public static long parse(String value) {
        String s = value.trim().toLowerCase(java.util.Locale.ROOT);
        long unit = 1;
        String digits = s;
        String[][] units = {{"kb", "1024"}, {"mb", "1048576"}, {"gb", "1073741824"},
                {"k", "1000"}, {"m", "1000000"}, {"g", "1000000000"}, {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                digits = s.substring(0, s.length() - u[0].length());
                break;
            }
        }
        long n;
        try {
            n = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a memory size (examples: 512mb, 1gb, 100000): '" + value + "'");
        }
        if (n < 0) {
            throw new IllegalArgumentException("memory size must not be negative: '" + value + "'");
        }
        return Math.multiplyExact(n, unit);
    }
}
