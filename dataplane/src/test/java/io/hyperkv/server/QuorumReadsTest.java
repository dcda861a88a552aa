package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.cluster.Consistency;
import io.hyperkv.cluster.NodeId;
import io.hyperkv.store.Encoding;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.Keyspace;
import io.hyperkv.store.ManualTime;
import io.hyperkv.store.RocksDbEngine;
import io.hyperkv.store.TestClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read repair on two real keyspaces: a quorum read on the replica that missed a write merges the other owner's state
 * first; with too few owners up, or no answer in time, it fails with NOQUORUM and merges nothing.
 */
class QuorumReadsTest {

    private static final NodeId SELF = new NodeId(2);
    private static final NodeId PEER = new NodeId(1);
    private static final NodeId THIRD = new NodeId(3);
    private static final List<NodeId> OWNERS = List.of(PEER, SELF, THIRD);

    @TempDir
    Path dirPeer;
    @TempDir
    Path dirSelf;

    private final ManualTime time = new ManualTime();
    private RocksDbEngine enginePeer;
    private RocksDbEngine engineSelf;
    private Keyspace peer;
    private Keyspace self;
    private QuorumReads reads;

    @BeforeEach
    void open() {
        enginePeer = RocksDbEngine.open(EngineOptions.of(dirPeer, Fsync.NO));
        engineSelf = RocksDbEngine.open(EngineOptions.of(dirSelf, Fsync.NO));
        peer = new Keyspace(enginePeer, new TestClock(time, 1), 16, time);
        self = new Keyspace(engineSelf, new TestClock(time, 2), 16, time);
        reads = new QuorumReads(SELF, Consistency.QUORUM, self, Runnable::run, Duration.ofMillis(200));
    }

    @AfterEach
    void close() {
        enginePeer.close();
        engineSelf.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private CompletableFuture<Void> fromPeer(NodeId node, int db, List<byte[]> keys, Executor executor,
            BiConsumer<byte[], KeyDelta> merge) {
        for (byte[] k : keys) {
            KeyDelta state = peer.capture(db, k);
            if (state != null) {
                merge.accept(k, state);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Test
    void aQuorumReadMergesWhatAnotherOwnerHoldsBeforeItRuns() throws Exception {
        peer.setString(0, b("k"), b("from the peer"), Encoding.ofString(b("from the peer")), 0);
        assertThat(reads.local(OWNERS)).isFalse();
        assertThat(self.read(0, b("k"))).isNull();

        reads.repair(OWNERS, id -> true, this::fromPeer, 0, List.of(b("k"), b("absent"))).get(5, TimeUnit.SECONDS);

        assertThat(new String(self.read(0, b("k")).payload(), StandardCharsets.UTF_8)).isEqualTo("from the peer");
        assertThat(self.read(0, b("absent"))).isNull();
    }

    @Test
    void tooFewOwnersUpOrNoAnswerInTimeIsNoQuorum() {
        peer.setString(0, b("k"), b("v"), Encoding.ofString(b("v")), 0);
        Throwable down = failure(reads.repair(OWNERS, id -> false, this::fromPeer, 0, List.of(b("k"))));
        assertThat(down).isInstanceOf(QuorumReads.NoQuorum.class)
                .hasMessage("NOQUORUM 1 of 2 required replicas are up");

        Throwable silent = failure(reads.repair(OWNERS, id -> true, (n, db, keys, executor, merge) -> new CompletableFuture<>(), 0,
                List.of(b("k"))));
        assertThat(silent).hasMessage("NOQUORUM 1 of 2 required replicas answered the read within 200 ms");
        assertThat(self.read(0, b("k"))).isNull();
    }

    @Test
    void readConsistencyOneNeedsNobody() {
        assertThat(new QuorumReads(SELF, Consistency.ONE, self, Runnable::run, Duration.ofSeconds(1)).local(OWNERS))
                .isTrue();
    }

    private static Throwable failure(CompletableFuture<Void> f) {
        try {
            f.get(5, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
