package io.hyperkv.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** Wall-clock milliseconds that a test moves by hand, so expiry is tested without sleeping. */
public final class ManualTime implements LongSupplier {
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

    @Override
    public long getAsLong() {
        return now.get();
    }

    public void advance(long millis) {
        now.addAndGet(millis);
    }
}
