package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.DeltaHandler;
import io.hyperkv.cluster.bus.Origin;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.DeltaSink;
import io.hyperkv.store.FlushCut;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.KeySlot;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.ManualTime;
import io.hyperkv.store.RocksDbEngine;
import io.hyperkv.store.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiving end of replication on two real keyspaces: what one commits, shipped as envelopes, is merged by the
 * other through {@link DeltaApplier}, idempotently; a batch holding a malformed delta is refused whole with a
 * MALFORMED reason and merges nothing. A FLUSHALL/FLUSHDB cut travels the same way, and so do the cuts
 * {@link FlushCutRelay} re-sends to a peer whose link comes up (one envelope per run of databases with the same cut),
 * which bring a peer that missed the flushes to the flusher's state.
 */
class DeltaApplierTest {

    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private final ManualTime time = new ManualTime();
    private final ExecutorService worker = Executors.newSingleThreadExecutor();
    private final List<DeltaEnvelope> shipped = new ArrayList<>();
    private RocksDbEngine engineA;
    private RocksDbEngine engineB;
    private Keyspace a;
    private Keyspace b;
    private DeltaApplier applier;

    @BeforeEach
    void open() {
        engineA = RocksDbEngine.open(EngineOptions.of(dirA, Fsync.NO));
        engineB = RocksDbEngine.open(EngineOptions.of(dirB, Fsync.NO));
        a = new Keyspace(engineA, new TestClock(time, 1), 16, time);
        b = new Keyspace(engineB, new TestClock(time, 2), 16, time);
        a.deltaSink(new DeltaSink() {
            @Override
            public void committed(int db, byte[] key, int slot, KeyDelta delta) {
                shipped.add(new DeltaEnvelope(db, slot, key, delta.meta().stamp(), delta.encode(), Origin.LIVE));
            }

            @Override
            public void flushed(int fromDb, int toDb, Stamp cut) {
                shipped.add(DeltaApplier.envelope(new FlushCut(fromDb, toDb, cut)));
            }
        });
        applier = new DeltaApplier(b, worker);
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

    private void set(String key, String value) {
        a.setString(0, bytes(key), bytes(value), Encoding.ofString(bytes(value)), 0);
    }

    private String valueOnB(String key) {
        var m = b.read(0, bytes(key));
        return m == null ? null : new String(m.payload(), StandardCharsets.UTF_8);
    }

    private Throwable failure(CompletableFuture<Void> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shippedChangesAreMergedAndAMergeTwiceChangesNothing() throws Exception {
        set("k1", "one");
        set("k2", "two");
        set("k1", "uno");
        assertThat(shipped).hasSize(3);

        applier.apply(List.copyOf(shipped)).get(5, TimeUnit.SECONDS);
        assertThat(valueOnB("k1")).isEqualTo("uno");
        assertThat(valueOnB("k2")).isEqualTo("two");

        // redelivered after a reconnect, older first again: the later write still wins
        applier.apply(List.copyOf(shipped)).get(5, TimeUnit.SECONDS);
        assertThat(valueOnB("k1")).isEqualTo("uno");
        assertThat(b.size(0)).isEqualTo(2);
    }

    @Test
    void aMalformedDeltaRefusesTheWholeBatchWithAReasonAndMergesNothing() {
        set("good", "v");
        DeltaEnvelope good = shipped.get(0);
        byte[] key = bytes("bad");
        DeltaEnvelope garbage = new DeltaEnvelope(0, KeySlot.of(key), key, good.stamp(), new byte[] {1, 0, 0, 0, 0, 9},
                Origin.LIVE);

        Throwable why = failure(applier.apply(List.of(good, garbage)));

        assertThat(why).isInstanceOf(DeltaHandler.DeltaRejection.class).hasMessageContaining("delta 2 of 2");
        assertThat(((DeltaHandler.DeltaRejection) why).reason()).isEqualTo("MALFORMED");
        assertThat(valueOnB("good")).isNull();
    }

    @Test
    void aSlotThatIsNotTheKeysOrADatabaseOutOfRangeIsRefused() {
        set("k", "v");
        DeltaEnvelope e = shipped.get(0);
        DeltaEnvelope wrongSlot = new DeltaEnvelope(0, (e.slot() + 1) % 16384, e.key(), e.stamp(), e.delta(),
                Origin.LIVE);
        DeltaEnvelope wrongDb = new DeltaEnvelope(16, e.slot(), e.key(), e.stamp(), e.delta(), Origin.LIVE);

        assertThat(failure(applier.apply(List.of(wrongSlot)))).hasMessageContaining("hashes to slot " + e.slot());
        assertThat(failure(applier.apply(List.of(wrongDb)))).hasMessageContaining("db is out of range");
        assertThat(valueOnB("k")).isNull();
    }

    private List<DeltaEnvelope> cuts() {
        return shipped.stream().filter(e -> FlushCut.is(e.delta())).toList();
    }

    @Test
    void aPeerAppliesTheFlushersCutFromItsEnvelope() throws Exception {
        for (int db = 0; db < 3; db++) {
            b.setString(db, bytes("k"), bytes("v"), Encoding.RAW, 0);
        }
        time.advance(1);
        a.flushAll();
        assertThat(cuts()).hasSize(1);

        applier.apply(cuts()).get(5, TimeUnit.SECONDS);

        for (int db = 0; db < 3; db++) {
            assertThat(b.size(db)).as("db %d", db).isZero();
            assertThat(b.cut(db)).isEqualTo(a.cut(db));
        }
    }

    @Test
    void theRelaySendsOneEnvelopePerRunOfDatabasesWithTheSameCut() throws Exception {
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
        applier.apply(FlushCutRelay.envelopes(a)).get(5, TimeUnit.SECONDS);
        for (int db = 0; db < 16; db++) {
            assertThat(b.cut(db)).as("cut of db %d", db).isEqualTo(a.cut(db));
            assertThat(b.size(db)).isZero();
        }
        assertThat(FlushCutRelay.envelopes(new Keyspace(engineB, new TestClock(time, 3), 16, time)))
                .as("a reopened keyspace relays the cuts it persisted").hasSize(3);
    }
}
