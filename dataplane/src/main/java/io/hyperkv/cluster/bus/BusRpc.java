package io.hyperkv.cluster.bus;

import static io.hyperkv.cluster.bus.BusFrames.ascii;
import static io.hyperkv.cluster.bus.BusFrames.text;

import io.hyperkv.cluster.NodeId;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Request/response between nodes over the bus: a caller names a peer, a verb and arguments, and gets the peer's answer
 * as a future that always completes, with the answer, with {@link RemoteException} (the peer's handler failed or does
 * not know the verb), with {@link PeerUnavailableException} (no established link to the peer, or it went DOWN while
 * the call was pending) or with {@link TimeoutException} (no answer within the call's timeout).
 *
 * <h2>Wire</h2>
 * Two bus verbs, registered with {@link BusNode#register}:
 * <pre>
 * HKV.RPC  id verb arg...          caller to callee, on the caller's outbound link ({@link BusNode#sendFrame})
 * HKV.RPCR id OK result...         callee to caller, on the same connection
 * HKV.RPCR id ERR message
 * </pre>
 * {@code id} is decimal, unique per {@code BusRpc} for its lifetime; an answer whose id is not pending (it timed out,
 * or the caller restarted) is dropped. A request is sent once and never retransmitted: callers that need
 * at-least-once retry themselves, and every verb served here must be safe to receive twice.
 *
 * <p>Threading: {@link #call} and {@link #serve} may be called from any thread. Handlers run on the {@code work}
 * executor and call futures complete on it, never on the bus thread, so a handler or a caller's continuation may touch
 * the store. Requests and answers are written without the delta queue's flow control: keep them bounded (the bus
 * refuses frames above {@link BusFrames#ESTABLISHED_LIMITS}).
 */
public final class BusRpc {

    private static final Logger LOG = Logger.getLogger(BusRpc.class.getName());

    public static final String REQUEST = "HKV.RPC";
    public static final String RESPONSE = "HKV.RPCR";
    private static final byte[] OK = ascii("OK");
    private static final byte[] ERR = ascii("ERR");

    /**
     * Serves one verb: returns the answer's elements (or fails, which the caller sees as a {@link RemoteException}
     * with the failure's message). Runs on the work executor; may block briefly (store reads), should not wait long.
     */
    @FunctionalInterface
    public interface Handler {
        CompletableFuture<byte[][]> handle(NodeId from, byte[][] args);
    }

    /** The peer answered with an error: its handler failed, or it does not serve the verb. */
    public static final class RemoteException extends RuntimeException {
        public RemoteException(String message) {
            super(message);
        }
    }

    private record Pending(NodeId peer, String verb, CompletableFuture<byte[][]> answer) {
    }

    private final BusNode bus;
    private final Executor work;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Handler> handlers = new ConcurrentHashMap<>();

    /** Registers the RPC verbs with {@code bus}; handlers and completions run on {@code work}. */
    public BusRpc(BusNode bus, Executor work) {
        this.bus = Objects.requireNonNull(bus);
        this.work = Objects.requireNonNull(work);
        bus.register(REQUEST, this::request);
        bus.register(RESPONSE, (from, argv, reply) -> response(from, argv));
        bus.addListener(event -> {
            if (event.to() == PeerState.DOWN && event.id().isPresent()) {
                failCallsTo(event.id().get(), "node " + event.id().get() + " went down");
            }
        });
    }

    /** Serves {@code verb} (case-sensitive) with {@code handler}; a verb has one handler. */
    public void serve(String verb, Handler handler) {
        if (handlers.putIfAbsent(verb, Objects.requireNonNull(handler)) != null) {
            throw new IllegalStateException(verb + " is already served");
        }
    }

    /**
     * Sends {@code verb args} to {@code peer}; the future completes with its answer's elements or exceptionally (see
     * the class documentation) within about {@code timeout}. Never blocks.
     */
    public CompletableFuture<byte[][]> call(NodeId peer, String verb, byte[][] args, Duration timeout) {
        CompletableFuture<byte[][]> answer = new CompletableFuture<>();
        long id = ids.incrementAndGet();
        pending.put(id, new Pending(peer, verb, answer));
        answer.whenComplete((r, e) -> pending.remove(id));
        byte[][] argv = new byte[3 + args.length][];
        argv[0] = ascii(REQUEST);
        argv[1] = ascii(Long.toString(id));
        argv[2] = ascii(verb);
        System.arraycopy(args, 0, argv, 3, args.length);
        if (!bus.sendFrame(peer, BusFrames.encode(argv))) {
            fail(id, new PeerUnavailableException("no bus link is up to node " + peer));
            return answer;
        }
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS, work).execute(() -> answer
                .completeExceptionally(new TimeoutException("node " + peer + " did not answer " + verb + " within "
                        + timeout.toMillis() + " ms")));
        return answer;
    }

    /** Calls in flight (for tests and metrics). */
    public int pendingCalls() {
        return pending.size();
    }

    private void fail(long id, Throwable cause) {
        Pending p = pending.remove(id);
        if (p != null) {
            work.execute(() -> p.answer.completeExceptionally(cause));
        }
    }

    private void failCallsTo(NodeId peer, String why) {
        pending.forEach((id, p) -> {
            if (p.peer.equals(peer)) {
                fail(id, new PeerUnavailableException(why + " before answering " + p.verb));
            }
        });
    }

    /** HKV.RPC, on the bus thread: hands the call to the work executor. */
    private void request(NodeId from, byte[][] argv, Consumer<byte[]> reply) {
        if (argv.length < 3) {
            LOG.warning("ignored an HKV.RPC with " + argv.length + " elements from node " + from);
            return;
        }
        byte[] id = argv[1];
        String verb = text(argv[2]);
        byte[][] args = Arrays.copyOfRange(argv, 3, argv.length);
        work.execute(() -> {
            Handler h = handlers.get(verb);
            CompletableFuture<byte[][]> result;
            if (h == null) {
                result = CompletableFuture.failedFuture(new RemoteException("unknown bus call " + BusFrames.verb(
                        new byte[][] {argv[2]})));
            } else {
                try {
                    result = Objects.requireNonNull(h.handle(from, args), "the handler returned no future");
                } catch (RuntimeException e) {
                    result = CompletableFuture.failedFuture(e);
                }
            }
            result.whenComplete((answer, err) -> reply.accept(answerFrame(id, verb, answer, err)));
        });
    }

    private static byte[] answerFrame(byte[] id, String verb, byte[][] answer, Throwable err) {
        if (err == null) {
            byte[][] argv = new byte[3 + answer.length][];
            argv[0] = ascii(RESPONSE);
            argv[1] = id;
            argv[2] = OK;
            System.arraycopy(answer, 0, argv, 3, answer.length);
            return BusFrames.encode(argv);
        }
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                ? err.getCause() : err;
        if (!(cause instanceof RemoteException)) {
            LOG.log(Level.WARNING, "bus call " + verb + " failed", cause);
        }
        return BusFrames.encode(ascii(RESPONSE), id, ERR, ascii(String.valueOf(cause.getMessage())));
    }

    /** HKV.RPCR, on the bus thread: completes the pending call on the work executor. */
    private void response(NodeId from, byte[][] argv) {
        long id;
        try {
            id = BusFrames.parseLong(argv, 1, "call id");
        } catch (BusProtocolException e) {
            LOG.warning("ignored an answer from node " + from + ": " + e.getMessage());
            return;
        }
        Pending p = pending.get(id);
        if (p == null || !p.peer.equals(from) || argv.length < 3) {
            return; // timed out, failed, or not ours
        }
        // Forgotten before the caller hears the answer: a dependent of the caller's runs before the whenComplete
        // registered in call() (CompletableFuture runs dependents last-registered first), and must see it settled.
        pending.remove(id, p);
        if (Arrays.equals(argv[2], OK)) {
            byte[][] answer = Arrays.copyOfRange(argv, 3, argv.length);
            work.execute(() -> p.answer.complete(answer));
        } else {
            String message = argv.length > 3 ? text(argv[3]) : "failed";
            work.execute(() -> p.answer.completeExceptionally(new RemoteException("node " + from + " answered "
                    + p.verb + ": " + message)));
        }
    }
}
