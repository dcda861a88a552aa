package io.hyperkv.cluster.bus;

/**
 * One open bus connection, as the transport gives it: bytes out, bytes in, flow control. Events arrive on the bus
 * thread through the {@link Events} set with {@link #events}, which the bus sets before any byte is read.
 */
public interface PeerLink {

    interface Events {
        void bytes(byte[] data);

        void closed();
    }

    void events(Events events);

    void write(byte[] frame);

    /** True while the transport holds more unsent bytes than its high-water mark. */
    boolean writeQueueFull();

    /** Calls {@code task} once when the write queue drains below its mark. */
    void onDrain(Runnable task);

    /** Stops reading (the receiver is busy applying); {@link #resume} reads again. */
    void pause();

    void resume();

    void close();

    /** The remote address, for logs. */
    String remote();
}
