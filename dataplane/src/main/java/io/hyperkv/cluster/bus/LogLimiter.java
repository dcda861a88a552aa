package io.hyperkv.cluster.bus;

import java.util.HashMap;
import java.util.Map;

/**
 * Lets one log line per key (a remote host) through per interval, so a peer with the wrong secret, or a port scanner,
 * cannot flood the log; it counts what it held back so the next line can say so. Bus thread only.
 */
final class LogLimiter {

    private static final int MAX_KEYS = 1024;

    private final long intervalMillis;
    private final Map<String, long[]> lastAndSuppressed = new HashMap<>();

    LogLimiter(long intervalMillis) {
        this.intervalMillis = intervalMillis;
    }

    /** -1 when the line must be held back, else how many lines for this key were held back since the last one. */
    long admit(String key, long now) {
        long[] entry = lastAndSuppressed.get(key);
        if (entry == null) {
            if (lastAndSuppressed.size() >= MAX_KEYS) {
                lastAndSuppressed.clear();
            }
            lastAndSuppressed.put(key, new long[] {now, 0});
            return 0;
        }
        if (now - entry[0] < intervalMillis) {
            entry[1]++;
            return -1;
        }
        long suppressed = entry[1];
        entry[0] = now;
        entry[1] = 0;
        return suppressed;
    }
}
