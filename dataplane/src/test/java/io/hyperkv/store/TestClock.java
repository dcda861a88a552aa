package io.hyperkv.store;

import io.hyperkv.crdt.Clock;
import io.hyperkv.crdt.Stamp;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A deterministic stand-in for the hybrid logical clock (which the crdt package provides):
 * physical time comes from a supplier the test controls, the logical part makes stamps unique.
 */
public final class TestClock implements Clock {

    private final LongSupplier millis;
    private final AtomicLong last = new AtomicLong();
    private final long node;

    public TestClock(LongSupplier millis, long node) {
        this.millis = millis;
        this.node = node;
    }

    @Override
    public Stamp next() {
        long t = last.updateAndGet(prev -> Math.max(prev + 1, Stamp.pack(millis.getAsLong(), 0)));
        return new Stamp(t, node);
    }

    @Override
    public void observe(Stamp remote) {
        last.accumulateAndGet(remote.time(), Math::max);
    }

    @Override
    public long nodeId() {
        return node;
    }
}
