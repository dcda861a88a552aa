package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.bus.DeltaEnvelope;
import io.hyperkv.cluster.bus.Origin;
import io.hyperkv.crdt.Stamp;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.RocksDbEngine;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HintStore} over a real RocksDB: order, acknowledgement before deletion, both bounds, and restarts. */
class HintStoreTest {

    private static final NodeId B = new NodeId(0xB);
    private static final NodeId C = new NodeId(0xC);
    private static final HintStore.Bounds ROOMY = new HintStore.Bounds(1L << 30, Duration.ofHours(3));

    @TempDir
    Path dir;
    private Engine engine;

    @BeforeEach
    void open() {
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void hintsComeBackPerPeerInTheOrderTheyWereHeldAndLeaveOnlyWhenAcknowledged() {
        HintStore store = HintStore.open(engine, ROOMY);
        store.append(B, List.of(delta(1), delta(2)), 1_000);
        store.append(C, List.of(delta(100)), 1_000);
        store.append(B, List.of(delta(3)), 1_001);

        assertThat(store.pending(B)).isEqualTo(3);
        assertThat(store.pending(C)).isEqualTo(1);
        List<HintStore.Hint> first = store.peek(B, 2, Long.MAX_VALUE);
        assertThat(first).extracting(HintStore.Hint::envelope).containsExactly(delta(1), delta(2));
        // Reading is not delivering: the same hints come back until the peer acknowledges them.
        assertThat(store.peek(B, 2, Long.MAX_VALUE)).isEqualTo(first);
        assertThat(store.pending(B)).isEqualTo(3);

        store.acknowledge(B, first);
        assertThat(store.pending(B)).isEqualTo(1);
        assertThat(store.peek(B, 10, Long.MAX_VALUE)).extracting(HintStore.Hint::envelope).containsExactly(delta(3));
        assertThat(store.queue(B).delivered()).isEqualTo(2);
        assertThat(store.queue(B).stored()).isEqualTo(3);
        assertThat(store.peek(C, 10, Long.MAX_VALUE)).extracting(HintStore.Hint::envelope)
                .containsExactly(delta(100));
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void aBatchIsCutAtTheByteLimitButAlwaysHoldsAtLeastOneHint() {
        HintStore store = HintStore.open(engine, ROOMY);
        store.append(B, List.of(delta(1), delta(2), delta(3)), 1_000);
        int one = store.peek(B, 1, Long.MAX_VALUE).get(0).bytes();
        assertThat(store.peek(B, 10, 2L * one)).hasSize(2);
        assertThat(store.peek(B, 10, 1)).hasSize(1);
    }

    @Test
    void overTheByteBoundTheOldestHintsOfAnyPeerAreDroppedAndCounted() {
        HintStore sizing = HintStore.open(engine, ROOMY);
        sizing.append(new NodeId(0xFF), List.of(delta(1)), 1_000);
        long one = sizing.totalBytes();
        engine.deleteRange(ColumnFamily.HINTS, new byte[0], new byte[] {(byte) 0xFF});

        HintStore store = HintStore.open(engine, new HintStore.Bounds(4 * one, Duration.ofHours(3)));
        store.append(C, List.of(delta(1), delta(2)), 1_000); // the oldest two
        store.append(B, List.of(delta(3), delta(4)), 1_001);
        store.append(B, List.of(delta(5)), 1_002);

        assertThat(store.totalBytes()).isLessThanOrEqualTo(4 * one);
        assertThat(store.pending(C)).isEqualTo(1);
        assertThat(store.queue(C).dropped()).isEqualTo(1);
        assertThat(store.peek(C, 10, Long.MAX_VALUE)).extracting(HintStore.Hint::envelope).containsExactly(delta(2));
        assertThat(store.pending(B)).isEqualTo(3);

        store.append(B, List.of(delta(6), delta(7)), 1_003);
        assertThat(store.pending(C)).isZero();
        assertThat(store.queue(C).dropped()).isEqualTo(2);
        assertThat(store.peek(B, 10, Long.MAX_VALUE)).extracting(HintStore.Hint::envelope)
                .containsExactly(delta(4), delta(5), delta(6), delta(7));
        assertThat(store.queue(B).dropped()).isEqualTo(1);
        assertThat(rows()).isEqualTo(4);
    }

    @Test
    void hintsOlderThanTheAgeBoundAreDroppedAndYoungerOnesStay() {
        HintStore store = HintStore.open(engine, new HintStore.Bounds(1L << 30, Duration.ofMinutes(10)));
        long t0 = 1_000_000;
        store.append(B, List.of(delta(1), delta(2)), t0);
        store.append(B, List.of(delta(3)), t0 + 60_000);
        store.append(C, List.of(delta(4)), t0 + 120_000);

        assertThat(store.expire(t0 + 9 * 60_000)).isZero();
        assertThat(store.expire(t0 + 11 * 60_000)).isEqualTo(2);
        assertThat(store.peek(B, 10, Long.MAX_VALUE)).extracting(HintStore.Hint::envelope).containsExactly(delta(3));
        assertThat(store.queue(B).dropped()).isEqualTo(2);
        assertThat(store.expire(t0 + 13 * 60_000)).isEqualTo(2);
        assertThat(store.pending(B)).isZero();
        assertThat(store.pending(C)).isZero();
        assertThat(rows()).isZero();
    }

    @Test
    void hintsDroppedWhileTheirBatchWasInFlightAreNotCountedTwiceWhenItIsAcknowledged() {
        HintStore store = HintStore.open(engine, new HintStore.Bounds(1L << 30, Duration.ofMinutes(10)));
        store.append(B, List.of(delta(1), delta(2)), 0);
        store.append(B, List.of(delta(3)), 20 * 60_000);
        List<HintStore.Hint> inFlight = store.peek(B, 10, Long.MAX_VALUE);
        assertThat(store.expire(15 * 60_000)).isEqualTo(2);

        store.acknowledge(B, inFlight);
        assertThat(store.pending(B)).isZero();
        assertThat(store.totalBytes()).isZero();
        assertThat(store.queue(B).delivered()).isEqualTo(1);
        assertThat(store.queue(B).dropped()).isEqualTo(2);
        assertThat(rows()).isZero();
    }

    @Test
    void hintsSurviveARestartAndNewOnesQueueBehindThem() {
        HintStore store = HintStore.open(engine, ROOMY);
        store.append(B, List.of(delta(1), delta(2), delta(3)), 1_000);
        store.append(C, List.of(delta(9)), 1_000);
        store.acknowledge(B, store.peek(B, 1, Long.MAX_VALUE));
        long bytes = store.totalBytes();
        engine.close();

        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
        HintStore reopened = HintStore.open(engine, ROOMY);
        assertThat(reopened.pending(B)).isEqualTo(2);
        assertThat(reopened.pending(C)).isEqualTo(1);
        assertThat(reopened.totalBytes()).isEqualTo(bytes);
        reopened.append(B, List.of(delta(4)), 2_000);
        assertThat(reopened.peek(B, 10, Long.MAX_VALUE)).extracting(HintStore.Hint::envelope)
                .containsExactly(delta(2), delta(3), delta(4));
    }

    @Test
    void anUnreadableRowIsDroppedAndCountedAndTheRestIsStillDelivered() {
        HintStore store = HintStore.open(engine, ROOMY);
        store.append(B, List.of(delta(1), delta(2)), 1_000);
        byte[] firstKey = ByteBuffer.allocate(16).putLong(B.value()).putLong(1).array();
        engine.put(ColumnFamily.HINTS, firstKey, ByteBuffer.allocate(12).putLong(1_000).putInt(42).array());
        engine.close();
        engine = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));

        HintStore reopened = HintStore.open(engine, ROOMY);
        assertThat(reopened.peek(B, 10, Long.MAX_VALUE)).extracting(HintStore.Hint::envelope)
                .containsExactly(delta(2));
        assertThat(reopened.pending(B)).isEqualTo(1);
        assertThat(reopened.queue(B).dropped()).isEqualTo(1);
        assertThat(rows()).isEqualTo(1);
    }

    private int rows() {
        int n = 0;
        try (Engine.Cursor c = engine.iterate(ColumnFamily.HINTS, new byte[0], null)) {
            for (c.seekToFirst(); c.valid(); c.next()) {
                n++;
            }
        }
        return n;
    }

    static DeltaEnvelope delta(int i) {
        return new DeltaEnvelope(i % 16, i % 16384, ("key" + i).getBytes(StandardCharsets.UTF_8),
                new Stamp(1_000L + i, 7), ("delta-" + i).getBytes(StandardCharsets.UTF_8), Origin.HINT);
    }

    static List<DeltaEnvelope> deltas(int from, int to) {
        List<DeltaEnvelope> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(delta(i));
        }
        return out;
    }
}
