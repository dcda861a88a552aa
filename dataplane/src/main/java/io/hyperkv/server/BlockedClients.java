package io.hyperkv.server;

import io.hyperkv.command.BlockRequest;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeyEvents;
import io.hyperkv.store.KeySlot;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import org.jboss.logging.Logger;

/**
 * Clients parked by a blocking command (BLPOP, BLMOVE, BZPOPMIN...), in FIFO order per (db, key),
 * and what wakes them: a {@link KeyEvents#modified} of one of their keys, their timeout (a Vert.x
 * timer, none for timeout 0), {@code CLIENT UNBLOCK}, or their connection closing. A slot this node
 * stopped owning (a topology took it, {@link #recheck}; or it was dropped, {@link KeyEvents#slotDropped})
 * makes the waiters on its keys try again, which ends their block in cluster mode (see
 * {@link Receiver#retry}).
 *
 * <p>Threading. The key event comes on the writer's thread under the writer's key lock, where no
 * pop may run (it would take locks out of order and stall the writer): the listener only hands a
 * "serve" step to the event-loop context of the first waiter of the key. There the waiter re-runs its
 * command ({@link BlockRequest#attempt}), which takes the key lock and pops. If it was served, the
 * next waiter of the key gets its turn on its own context, and so on until an attempt finds nothing:
 * so a push of N elements serves up to N waiters, oldest first, as Redis does. A pop fires its own
 * key event, which only causes one more (empty-handed) attempt.
 *
 * <p>Invariants: a waiter leaves WAITING exactly once, by compare-and-set, whoever ends it (served,
 * timer, CLIENT UNBLOCK, disconnect); whoever wins removes it from every queue, cancels its timer and
 * decrements the count. Every step that runs a waiter's command or answers it runs on its
 * connection's context, so a connection sees its block end once, in order with its other events.
 * With no client blocked, a key event costs one volatile read.
 *
 * <p>One race is closed explicitly: a push between the handler's "nothing to pop" and the waiter's
 * registration would find no waiter to wake, so a freshly registered waiter tries once more on its
 * context right away.
 */
final class BlockedClients implements KeyEvents {

    private static final Logger LOG = Logger.getLogger(BlockedClients.class);

    enum State { WAITING, SERVED, TIMED_OUT, UNBLOCKED, CANCELLED }

    /** Who is told the outcome: the connection, on its own context. */
    interface Receiver {
        /** The block ended with {@code reply}; {@code wrote} when the serving attempt wrote (a pop). */
        void unblocked(Reply reply, boolean wrote);

        /**
         * Runs one retry of the blocked command, on this receiver's context, as the receiver runs a write: in cluster
         * mode what it commits is collected and replicated, so the reply of a serving retry (the pop) can wait for W
         * acknowledgements like any write's reply. Returns the attempt's reply, or null when it still cannot be
         * served; a receiver may also end the block with another reply (an error, when its keys moved away).
         */
        default Reply retry(BlockRequest request) {
            return request.attempt().attempt();
        }
    }

    /** One parked client. */
    final class Waiter {
        final Receiver receiver;
        final Context context;
        final BlockRequest request;
        final List<QueueKey> keys;
        final AtomicReference<State> state = new AtomicReference<>(State.WAITING);
        volatile long timerId = -1;

        private Waiter(Receiver receiver, Context context, BlockRequest request, List<QueueKey> keys) {
            this.receiver = receiver;
            this.context = context;
            this.request = request;
            this.keys = keys;
        }

        State state() {
            return state.get();
        }
    }

    record QueueKey(int db, ByteBuffer key) {
        static QueueKey of(int db, byte[] key) {
            return new QueueKey(db, ByteBuffer.wrap(key));
        }
    }

    private final Vertx vertx;
    private final ConcurrentHashMap<QueueKey, ConcurrentLinkedDeque<Waiter>> queues = new ConcurrentHashMap<>();
    private final AtomicInteger blocked = new AtomicInteger();

    BlockedClients(Vertx vertx) {
        this.vertx = vertx;
    }

    /** Clients blocked now (INFO {@code blocked_clients}). */
    int blockedClients() {
        return blocked.get();
    }

    /** Keys with at least one waiter (INFO {@code total_blocking_keys}). */
    int blockingKeys() {
        return queues.size();
    }

    /**
     * Parks a client; call on {@code context} (the connection's). The timeout timer and the first
     * retry are scheduled here.
     */
    Waiter block(Receiver receiver, Context context, BlockRequest request) {
        Set<QueueKey> distinct = new LinkedHashSet<>();
        for (byte[] k : request.keys()) {
            distinct.add(QueueKey.of(request.db(), k.clone()));
        }
        Waiter w = new Waiter(receiver, context, request, new ArrayList<>(distinct));
        blocked.incrementAndGet();
        for (QueueKey k : w.keys) {
            queues.compute(k, (key, q) -> {
                ConcurrentLinkedDeque<Waiter> out = q == null ? new ConcurrentLinkedDeque<>() : q;
                out.addLast(w);
                return out;
            });
        }
        if (request.timeoutMillis() > 0) {
            // set from the connection's context, so the handler runs on it too
            w.timerId = vertx.setTimer(request.timeoutMillis(), id -> end(w, State.TIMED_OUT, request.timeoutReply(), false));
        }
        context.runOnContext(v -> serve(w.keys.get(0), w));
        return w;
    }

    /** The connection closed: forget the waiter. Any thread. */
    void cancel(Waiter w) {
        if (w.state.compareAndSet(State.WAITING, State.CANCELLED)) {
            forget(w);
        }
    }

    /** CLIENT UNBLOCK: end the block with the timeout reply or an UNBLOCKED error; hops to the waiter's context. */
    void unblock(Waiter w, boolean error) {
        Reply reply = error ? Reply.error("UNBLOCKED client unblocked via CLIENT UNBLOCK") : w.request.timeoutReply();
        w.context.runOnContext(v -> end(w, State.UNBLOCKED, reply, false));
    }

    private void end(Waiter w, State outcome, Reply reply, boolean wrote) {
        if (w.state.compareAndSet(State.WAITING, outcome)) {
            forget(w);
            w.receiver.unblocked(reply, wrote);
        }
    }

    private void forget(Waiter w) {
        long timer = w.timerId;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        for (QueueKey k : w.keys) {
            queues.computeIfPresent(k, (key, q) -> {
                q.remove(w);
                return q.isEmpty() ? null : q;
            });
        }
        blocked.decrementAndGet();
    }

    @Override
    public void modified(int db, byte[] key) {
        if (blocked.get() == 0) {
            return;
        }
        Waiter head = firstWaiting(QueueKey.of(db, key));
        if (head != null) {
            // never pop here: we are on the writer's thread under its key lock; and keep no
            // reference to the writer's key array past this call
            QueueKey k = QueueKey.of(db, key.clone());
            head.context.runOnContext(v -> serve(k, head));
        }
    }

    @Override
    public void slotDropped(int slot) {
        recheck(s -> s == slot);
    }

    /**
     * Makes the first waiter of every key whose slot {@code slots} accepts try again (cluster mode: a topology took
     * those slots from this node, or it dropped them). Any thread.
     */
    void recheck(IntPredicate slots) {
        if (blocked.get() == 0) {
            return;
        }
        for (QueueKey k : queues.keySet()) {
            byte[] key = new byte[k.key().remaining()];
            k.key().duplicate().get(key);
            if (slots.test(KeySlot.of(key))) {
                Waiter head = firstWaiting(k);
                if (head != null) {
                    head.context.runOnContext(v -> serve(k, head));
                }
            }
        }
    }

    /**
     * On {@code w}'s context: if it still waits, re-run its command; when that served it, give the
     * next waiter of {@code k} its turn. An attempt that finds nothing ends the chain.
     */
    private void serve(QueueKey k, Waiter w) {
        if (w.state.get() == State.WAITING) {
            Reply reply;
            try {
                reply = w.receiver.retry(w.request);
            } catch (RuntimeException e) {
                LOG.warn("a blocked command failed when retried", e);
                String msg = String.valueOf(e.getMessage()).replace('\r', ' ').replace('\n', ' ');
                reply = Reply.error("ERR internal error: " + e.getClass().getSimpleName() + ": " + msg);
            }
            if (reply == null) {
                return;
            }
            // only this context ends w besides the disconnect, which cannot race a running handler here
            if (!w.state.compareAndSet(State.WAITING, State.SERVED)) {
                LOG.warn("a blocked client was served after its block ended; its reply is dropped");
                return;
            }
            forget(w);
            w.receiver.unblocked(reply, true);
        }
        Waiter next = firstWaiting(k);
        if (next != null && next != w) {
            next.context.runOnContext(v -> serve(k, next));
        }
    }

    private Waiter firstWaiting(QueueKey k) {
        ConcurrentLinkedDeque<Waiter> q = queues.get(k);
        if (q == null) {
            return null;
        }
        for (Iterator<Waiter> it = q.iterator(); it.hasNext(); ) {
            Waiter w = it.next();
            if (w.state.get() == State.WAITING) {
                return w;
            }
        }
        return null;
    }
}
