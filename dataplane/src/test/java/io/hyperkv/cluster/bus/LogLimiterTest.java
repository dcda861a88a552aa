package io.hyperkv.cluster.bus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogLimiterTest {

    @Test
    void oneLinePerHostPerIntervalAndTheNextLineCountsWhatWasHeldBack() {
        LogLimiter limiter = new LogLimiter(10_000);
        assertThat(limiter.admit("10.1.1.1", 0)).isZero();
        assertThat(limiter.admit("10.1.1.1", 1)).isEqualTo(-1);
        assertThat(limiter.admit("10.1.1.1", 9_999)).isEqualTo(-1);
        assertThat(limiter.admit("10.1.1.2", 5)).isZero();
        assertThat(limiter.admit("10.1.1.1", 10_000)).isEqualTo(2);
        assertThat(limiter.admit("10.1.1.1", 10_001)).isEqualTo(-1);
    }
}
