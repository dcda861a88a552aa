package io.hyperkv.cluster.bus;

import io.hyperkv.cluster.PeerAddress;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * What the bus needs from the network and the clock, so that its protocol and state machines ({@link BusNode}) stay
 * free of Vert.x: the server's implementation is {@code server.BusTransport}. Every callback of a transport (connect
 * results, link events, scheduled tasks, {@link #execute} tasks) runs on one thread, the bus thread, so bus state needs
 * no locks.
 */
public interface Transport {

    /** Dials {@code address}; later calls {@code connected} with the link or {@code failed} with the cause. */
    void connect(PeerAddress address, Consumer<PeerLink> connected, Consumer<Throwable> failed);

    /** Runs {@code task} on the bus thread after {@code delayMillis}; the returned handle cancels it. */
    Runnable schedule(long delayMillis, Runnable task);

    /** Runs {@code task} on the bus thread. */
    void execute(Runnable task);

    /** Runs blocking work (an fsync) off the bus thread. */
    Executor blocking();

    /** Milliseconds of a monotonic clock. */
    long nowMillis();
}
