package io.hyperkv.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The victim of {@link DeferredWritesTest}'s crash test: bursts of string overwrites in a deferred-write scope (as an
 * event loop answering a pipeline), then {@code durable()} as the server does before replying, then prints the burst it
 * acknowledged, until it is killed. Runs in its own JVM.
 */
public final class DeferredCrashWriter {

    static final int KEYS = 16;

    private DeferredCrashWriter() {
    }

    static byte[] key(int k) {
        return ("key" + k).getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) {
        RocksDbEngine engine = RocksDbEngine.open(EngineOptions.of(Path.of(args[0]), Fsync.parse(args[1])));
        Keyspace ks = new Keyspace(engine, new TestClock(System::currentTimeMillis, 1), 16, System::currentTimeMillis);
        for (long burst = 0; ; burst++) {
            ks.deferWrites();
            for (int k = 0; k < KEYS; k++) {
                ks.setString(0, key(k), Long.toString(burst).getBytes(StandardCharsets.US_ASCII), Encoding.INT, 0);
            }
            ks.endDeferredWrites();
            ks.durable().join();
            System.out.println("ack " + burst);
            System.out.flush();
        }
    }
}
