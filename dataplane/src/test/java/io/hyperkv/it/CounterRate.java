package io.hyperkv.it;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How fast a Prometheus counter rose, summed over every node of a {@link FaultCluster}: a background thread samples it
 * every {@value #PERIOD_MILLIS} ms, and {@link #perSecond()} divides the rise by the time between the last sample
 * before it started rising and the last sample that rose. For measurements such as hints delivered per second while
 * a queue drains; the resolution is the sampling period. A sample any node does not answer (paused, restarting) is
 * skipped, and a rise that starts during such a gap is timed from the first sample after it (what rose in the gap is
 * left out).
 */
final class CounterRate implements AutoCloseable {

    private static final long PERIOD_MILLIS = 200;

    private final FaultCluster cluster;
    private final String counter;
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "counter-rate");
        t.setDaemon(true);
        return t;
    });
    private double first = Double.NaN;
    private double last = Double.NaN;
    private long lastAt;
    private long risingFrom = -1;
    private long risingTo = -1;
    private double riseStart;
    private boolean gap;

    private CounterRate(FaultCluster cluster, String counter) {
        this.cluster = cluster;
        this.counter = counter;
    }

    /** Starts sampling {@code counter} (its Prometheus name, e.g. {@code hyperkv_hints_delivered_total}). */
    static CounterRate start(FaultCluster cluster, String counter) {
        CounterRate rate = new CounterRate(cluster, counter);
        rate.sampler.scheduleWithFixedDelay(rate::sample, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        return rate;
    }

    private void sample() {
        double sum = 0;
        try {
            for (int i = 0; i < cluster.size(); i++) {
                sum += cluster.meter(i, counter);
            }
        } catch (RuntimeException | AssertionError unavailable) {
            synchronized (this) {
                gap = true;
            }
            return;
        }
        long now = System.nanoTime();
        synchronized (this) {
            // A rise first seen right after a gap began somewhere in it: it is timed from this sample on instead.
            if (Double.isNaN(first)) {
                first = sum;
            } else if (sum > last && !(gap && risingFrom < 0)) {
                if (risingFrom < 0) {
                    risingFrom = lastAt;
                    riseStart = last;
                }
                risingTo = now;
            }
            last = sum;
            lastAt = now;
            gap = false;
        }
    }

    /** How much the counter rose since sampling started. */
    synchronized double total() {
        return Double.isNaN(first) ? 0 : last - first;
    }

    /** The counter's rise per second while it rose; NaN when it never rose. */
    synchronized double perSecond() {
        if (risingFrom < 0) {
            return Double.NaN;
        }
        return (last - riseStart) / ((risingTo - risingFrom) / 1e9);
    }

    /** One line for the test log. */
    synchronized String describe() {
        return risingFrom < 0 ? counter + " did not rise"
                : String.format("%s rose by %.0f in %d ms: %.0f/s", counter, last - riseStart,
                        (risingTo - risingFrom) / 1_000_000, perSecond());
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
