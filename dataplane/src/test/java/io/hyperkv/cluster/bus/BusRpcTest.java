package io.hyperkv.cluster.bus;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.hyperkv.cluster.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link BusRpc} between two real bus nodes over loopback sockets (one pair for the class; each test its own verbs). */
class BusRpcTest {

    private static final Duration CALL = Duration.ofSeconds(10);
    private static LoopbackBus bus;
    private static ExecutorService work;
    private static BusRpc a;
    private static BusRpc b;
    private static NodeId idA;
    private static NodeId idB;

    @BeforeAll
    static void pair() throws Exception {
        AtomicInteger threads = new AtomicInteger();
        work = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "rpc-work-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        bus = LoopbackBus.start(2).awaitMesh();
        a = new BusRpc(bus.member(0).node, work);
        b = new BusRpc(bus.member(1).node, work);
        idA = bus.member(0).id;
        idB = bus.member(1).id;
    }

    @AfterAll
    static void stop() {
        bus.close();
        work.shutdownNow();
    }

    @Test
    void aCallGetsTheAnswerOfThePeersHandlerWithBinaryAndEmptyElementsIntactOffTheBusThread() throws Exception {
        List<String> handlerThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
        // the handler answers only once the caller's continuation is attached: on loopback an answer can otherwise
        // arrive first, and a continuation attached to a completed future runs on the attaching thread
        CompletableFuture<Void> attached = new CompletableFuture<>();
        a.serve("ECHO", (from, args) -> {
            handlerThreads.add(Thread.currentThread().getName() + " from " + from);
            byte[][] answer = new byte[args.length + 1][];
            answer[0] = "echo".getBytes(UTF_8);
            System.arraycopy(args, 0, answer, 1, args.length);
            return attached.thenApply(v -> answer);
        });
        byte[] binary = {0, '\r', '\n', (byte) 0xff, '$', '*'};
        CompletableFuture<String> completedOn = new CompletableFuture<>();
        CompletableFuture<byte[][]> call = b.call(idA, "ECHO", new byte[][] {binary, new byte[0]}, CALL)
                .whenComplete((r, e) -> completedOn.complete(Thread.currentThread().getName()));
        attached.complete(null);
        byte[][] answer = call.get(15, TimeUnit.SECONDS);

        assertThat(answer).hasNumberOfRows(3);
        assertThat(new String(answer[0], UTF_8)).isEqualTo("echo");
        assertThat(answer[1]).isEqualTo(binary);
        assertThat(answer[2]).isEmpty();
        assertThat(handlerThreads).hasSize(1);
        assertThat(handlerThreads.get(0)).startsWith("rpc-work-").endsWith(" from " + idB);
        assertThat(completedOn.get(5, TimeUnit.SECONDS)).startsWith("rpc-work-");
        assertThat(b.pendingCalls()).isZero();
    }

    @Test
    void concurrentCallsBothWaysAnsweredOutOfOrderEachGetItsOwnAnswer() throws Exception {
        ExecutorService delays = Executors.newScheduledThreadPool(2);
        try {
            for (BusRpc side : List.of(a, b)) {
                side.serve("DOUBLE", (from, args) -> {
                    long n = Long.parseLong(new String(args[0], UTF_8));
                    return CompletableFuture.supplyAsync(() -> new byte[][] {Long.toString(2 * n).getBytes(UTF_8)},
                            CompletableFuture.delayedExecutor(ThreadLocalRandom.current().nextInt(50),
                                    TimeUnit.MILLISECONDS, delays));
                });
            }
            List<CompletableFuture<byte[][]>> calls = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                BusRpc caller = i % 2 == 0 ? a : b;
                NodeId callee = i % 2 == 0 ? idB : idA;
                calls.add(caller.call(callee, "DOUBLE", new byte[][] {Integer.toString(i).getBytes(UTF_8)}, CALL));
            }
            CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < calls.size(); i++) {
                assertThat(new String(calls.get(i).join()[0], UTF_8)).isEqualTo(Long.toString(2L * i));
            }
            assertThat(a.pendingCalls() + b.pendingCalls()).isZero();
        } finally {
            delays.shutdownNow();
        }
    }

    @Test
    void aCallNobodyAnswersTimesOutAndItsLateAnswerIsDropped() throws Exception {
        CompletableFuture<byte[][]> never = new CompletableFuture<>();
        a.serve("SLOW", (from, args) -> never);
        long start = System.nanoTime();
        CompletableFuture<byte[][]> call = b.call(idA, "SLOW", new byte[0][], Duration.ofMillis(300));

        assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TimeoutException.class).hasMessageContaining("did not answer SLOW within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300),
                Duration.ofSeconds(8));
        assertThat(b.pendingCalls()).isZero();

        never.complete(new byte[][] {"late".getBytes(UTF_8)});
        a.serve("FAST", (from, args) -> CompletableFuture.completedFuture(new byte[][] {"fast".getBytes(UTF_8)}));
        assertThat(new String(b.call(idA, "FAST", new byte[0][], CALL).get(15, TimeUnit.SECONDS)[0], UTF_8))
                .isEqualTo("fast");
        assertThat(call.isCompletedExceptionally()).isTrue();
    }

    @Test
    void aCallToANodeWithoutALinkFailsAtOnce() {
        CompletableFuture<byte[][]> call = b.call(new NodeId(0xdeadL), "ECHO", new byte[0][], CALL);

        assertThatThrownBy(() -> call.get(2, TimeUnit.SECONDS)).hasCauseInstanceOf(PeerUnavailableException.class)
                .hasMessageContaining("no bus link is up to node " + new NodeId(0xdeadL));
        assertThat(b.pendingCalls()).isZero();
    }

    @Test
    void anUnknownVerbAndAFailingHandlerAnswerWithTheirReason() {
        a.serve("BROKEN", (from, args) -> {
            throw new IllegalArgumentException("db 99 is out of range");
        });
        a.serve("REFUSES", (from, args) -> CompletableFuture.failedFuture(new IllegalStateException("not now")));

        assertThatThrownBy(() -> b.call(idA, "NOSUCH", new byte[0][], CALL).get(15, TimeUnit.SECONDS))
                .hasCauseInstanceOf(BusRpc.RemoteException.class).hasMessageContaining("unknown bus call NOSUCH");
        assertThatThrownBy(() -> b.call(idA, "BROKEN", new byte[0][], CALL).get(15, TimeUnit.SECONDS))
                .hasCauseInstanceOf(BusRpc.RemoteException.class)
                .hasMessageContaining("answered BROKEN: db 99 is out of range");
        assertThatThrownBy(() -> b.call(idA, "REFUSES", new byte[0][], CALL).get(15, TimeUnit.SECONDS))
                .hasCauseInstanceOf(BusRpc.RemoteException.class).hasMessageContaining("not now");
    }

    @Test
    void aVerbHasOneHandler() {
        a.serve("ONCE", (from, args) -> CompletableFuture.completedFuture(new byte[0][]));
        assertThatThrownBy(() -> a.serve("ONCE", (from, args) -> CompletableFuture.completedFuture(new byte[0][])))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Runs last by its own bus: stopping a node must fail the calls pending on it without waiting for their timeout. */
    @Test
    void callsPendingOnANodeThatGoesDownFailBeforeTheirTimeout() throws Exception {
        try (LoopbackBus three = LoopbackBus.start(3).awaitMesh()) {
            BusRpc caller = new BusRpc(three.member(0).node, work);
            BusRpc callee = new BusRpc(three.member(2).node, work);
            AtomicInteger received = new AtomicInteger();
            callee.serve("HANG", (from, args) -> {
                received.incrementAndGet();
                return new CompletableFuture<>();
            });
            CompletableFuture<byte[][]> call = caller.call(three.member(2).id, "HANG", new byte[0][],
                    Duration.ofSeconds(60));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 1);
            long stoppedAt = System.nanoTime();
            three.member(2).stop();

            assertThatThrownBy(() -> call.get(20, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PeerUnavailableException.class).hasMessageContaining("went down");
            assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(LoopbackBus.CONFIG.suspectAfterMillis()))
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(caller.pendingCalls()).isZero();
        }
    }
}
