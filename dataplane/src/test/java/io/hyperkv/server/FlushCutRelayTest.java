package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.FlushCut;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.ManualTime;
import io.hyperkv.store.RocksDbEngine;
import io.hyperkv.store.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FLUSHALL/FLUSHDB cut as it travels: the envelope a flushing keyspace hands its sink, applied by a peer through
 * {@link DeltaApplier}, and the cuts {@link FlushCutRelay} re-sends to a peer whose link comes up (one envelope per run
 * of databases with the same cut), which bring a peer that missed the flush to the same state.
 */
class FlushCutRelayTest {

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private final ManualTime time = new ManualTime();
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final List<DeltaEnvelope> cuts = new ArrayList<>();
    private RocksDbEngine engineA;
    private RocksDbEngine engineB;
    private Keyspace a;
    private Keyspace b;

    @BeforeEach
    void open() {
        engineA = RocksDbEngine.open(EngineOptions.of(dirA, Fsync.NO));
        engineB = RocksDbEngine.open(EngineOptions.of(dirB, Fsync.NO));
        a = new Keyspace(engineA, new TestClock(time, 1), 16, time);
        b = new Keyspace(engineB, new TestClock(time, 2), 16, time);
        a.deltaSink(new io.hyperkv.store.DeltaSink() {
            @Override
            public void committed(int db, byte[] key, int slot, io.hyperkv.store.KeyDelta delta) {
            }

            @Override
            public void flushed(int fromDb, int toDb, Stamp cut) {
                cuts.add(DeltaApplier.envelope(new FlushCut(fromDb, toDb, cut)));
            }
        });
        b.deltaSink((db, key, slot, delta) -> { });
    }

    @AfterEach
    void close() throws Exception {
        worker.shutdown();
        worker.awaitTermination(5, TimeUnit.SECONDS);
        engineA.close();
        engineB.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aPeerAppliesTheFlushersCutFromItsEnvelope() {
        for (int db = 0; db < 3; db++) {
            b.setString(db, bytes("k"), bytes("v"), Encoding.RAW, 0);
        }
        time.advance(1);
        a.flushAll();
        assertThat(cuts).hasSize(1);

        new DeltaApplier(b, worker).apply(cuts).join();

        for (int db = 0; db < 3; db++) {
            assertThat(b.size(db)).as("db %d", db).isZero();
            assertThat(b.cut(db)).isEqualTo(a.cut(db));
        }
    }

    @Test
    void theRelaySendsOneEnvelopePerRunOfDatabasesWithTheSameCut() {
        // a peer that misses all three flushes below, holding keys written before them
        b.setString(3, bytes("k"), bytes("v"), Encoding.RAW, 0);
        b.setString(9, bytes("k"), bytes("v"), Encoding.RAW, 0);
        time.advance(1);
        a.flush(5);
        time.advance(1);
        a.flushAll();
        Stamp all = a.cut(0);
        time.advance(1);
        a.flush(3);
        Stamp three = a.cut(3);

        List<FlushCut> relayed = FlushCutRelay.envelopes(a).stream().map(e -> FlushCut.decode(e.delta())).toList();

        assertThat(relayed).containsExactly(new FlushCut(0, 3, all), new FlushCut(3, 4, three),
                new FlushCut(4, 16, all));
        // the peer ends where the flusher is
        new DeltaApplier(b, worker).apply(FlushCutRelay.envelopes(a)).join();
        for (int db = 0; db < 16; db++) {
            assertThat(b.cut(db)).as("cut of db %d", db).isEqualTo(a.cut(db));
            assertThat(b.size(db)).isZero();
        }
        assertThat(FlushCutRelay.envelopes(new Keyspace(engineB, new TestClock(time, 3), 16, time)))
                .as("a reopened keyspace relays the cuts it persisted").hasSize(3);
    }
}
