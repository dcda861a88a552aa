package io.hyperkv.store;

import io.hyperkv.crdt.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The victim of {@link CollectionDeferredWritesTest}'s crash test: bursts of collection writes in a deferred-write
 * scope (as an event loop answering a pipeline: HSET of every field of one hash to the burst's number, SADD of a
 * member named after the burst, LPUSH of the burst's number), then {@code durable()} as the server does before
 * replying, then prints the burst it acknowledged, until it is killed. Runs in its own JVM.
 */
public final class DeferredCollectionCrashWriter {

    static final int FIELDS = 8;
    static final byte[] HASH = "h".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SET = "s".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LIST = "l".getBytes(StandardCharsets.US_ASCII);

    private DeferredCollectionCrashWriter() {
    }

    static byte[] field(int f) {
        return ("f" + f).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] ascii(long n) {
        return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
    }

    public static void main(String[] args) {
        RocksDbEngine engine = RocksDbEngine.open(EngineOptions.of(Path.of(args[0]), Fsync.parse(args[1])));
        Keyspace ks = new Keyspace(engine, new TestClock(System::currentTimeMillis, 1), 16, System::currentTimeMillis);
        HashStore hashes = new HashStore(ks);
        SetStore sets = new SetStore(ks);
        ListStore lists = new ListStore(ks);
        for (long burst = 0; ; burst++) {
            ks.deferWrites();
            for (int f = 0; f < FIELDS; f++) {
                try (KeyLocks.Held ignored = ks.lock(0, HASH)) {
                    hashes.put(0, HASH, ks.read(0, HASH), Map.of(Bytes.of(field(f)), Bytes.of(ascii(burst))), 1);
                }
            }
            try (KeyLocks.Held ignored = ks.lock(0, SET)) {
                sets.add(0, SET, ks.read(0, SET), List.of(ascii(burst)));
            }
            lists.push(0, LIST, List.of(ascii(burst)), true, false);
            ks.endDeferredWrites();
            ks.durable().join();
            System.out.println("ack " + burst);
            System.out.flush();
        }
    }
}
