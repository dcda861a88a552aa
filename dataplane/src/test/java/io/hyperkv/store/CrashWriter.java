package io.hyperkv.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The victim of {@link WalCrashTest}: writes keys one by one, waits for {@link Engine#durable()}
 * after each (as the server does before replying) and prints the index it acknowledged, until it
 * is killed. Runs in its own JVM.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) {
        Engine engine = RocksDbEngine.open(EngineOptions.of(Path.of(args[0]), Fsync.parse(args[1])));
        for (int i = 0; ; i++) {
            engine.put(ColumnFamily.META, ("key" + i).getBytes(StandardCharsets.US_ASCII),
                    ("value" + i).getBytes(StandardCharsets.US_ASCII));
            engine.durable().join();
            System.out.println("ack " + i);
            System.out.flush();
        }
    }
}
