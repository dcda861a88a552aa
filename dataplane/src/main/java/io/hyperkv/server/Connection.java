package io.hyperkv.server;

import io.hyperkv.command.BlockRequest;
import io.hyperkv.command.ClientSession;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.OutputBufferLimits;
import io.hyperkv.resp.CommandSink;
import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespDecoder;
import io.hyperkv.resp.RespEncoder;
import io.hyperkv.resp.RespLimits;
import io.hyperkv.resp.RespProtocolException;
import io.hyperkv.store.KeySlot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.NetSocketInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * One client connection: its RESP decoder, its session state (db, protocol, auth, name...), and
 * the discipline that keeps replies in request order while never blocking the event loop.
 *
 * <p>Invariants, all touched only on the connection's own event-loop context:
 * <ul>
 *   <li>Commands run in arrival order. A command flagged {@link CommandFlag#SLOW_PATH} runs on a
 *       worker; while it does (or while replies wait for an fsync) the connection is <em>busy</em>:
 *       reading is paused and commands already decoded wait in {@code backlog}.</li>
 *   <li>Replies of one read burst are written in one socket write, after the store's
 *       {@code durable()} future completes if the burst wrote anything (group commit: under
 *       {@code appendfsync always} a reply is never sent before its write is on disk).</li>
 *   <li>Reading is paused while the socket's write queue is full (a client that does not read its
 *       replies cannot make the server buffer without bound).</li>
 *   <li>After a protocol error the commands decoded before it are answered, then the error line is
 *       written and the connection closed; nothing after it is executed.</li>
 *   <li>Pub/sub messages may be published from any thread ({@link #deliver}); they reach the socket
 *       only on this connection's loop, in publication order per publishing thread, after the
 *       replies already encoded for this connection (they join {@code out} while a burst is being
 *       answered) and before the reply of a command that published them (as in Redis).</li>
 *   <li>{@code queuedBytes} counts bytes handed to this connection's output (messages waiting for
 *       the loop, replies and messages written to the socket but not yet taken by the kernel). It
 *       is checked against {@code client-output-buffer-limit} of the client's class whenever it
 *       grows; a client over the limit is closed, so a subscriber that does not read costs at most
 *       about the hard limit.</li>
 *   <li>A client parked by a blocking command ({@link #block}) is <em>blocked</em>: replies of the
 *       commands before it are flushed, later commands wait in {@code backlog}, and reading goes on
 *       (so a disconnect is noticed and forgets the waiter) until the backlog holds
 *       {@value #BLOCKED_BACKLOG_LIMIT} commands. {@link BlockedClients} ends the block on this
 *       context; its reply then goes out like any other, after {@code durable()} since a pop writes.</li>
 * </ul>
 * Other threads (CLIENT LIST/KILL from other connections, metrics) only read the volatile fields
 * and ask the connection to close through its context.
 */
final class Connection implements ClientSession, CommandSink, PubSubHub.Subscriber, BlockedClients.Receiver {

    private static final Logger LOG = Logger.getLogger(Connection.class);
    /** Redis's PROTO_REPLY_CHUNK_BYTES: the per-client reply buffer its output limits do not count. */
    private static final long REPLY_BUFFER_ALLOWANCE = 16 * 1024;

    /** What a RESP2 client may run while subscribed (Redis's subscriber mode). */
    private static final Set<String> SUBSCRIBER_MODE_COMMANDS = Set.of("subscribe", "psubscribe", "ssubscribe",
            "unsubscribe", "punsubscribe", "sunsubscribe", "ping", "quit", "reset");

    /** Commands a blocked client may queue before reading pauses (Redis bounds its query buffer instead). */
    static final int BLOCKED_BACKLOG_LIMIT = 10_000;

    private final ServerWiring wiring;
    private final NetSocket socket;
    private final Context context;
    private final RespDecoder decoder;
    private final long id;
    private final long createdMillis = System.currentTimeMillis();
    private final String addr;
    private final String laddr;

    private volatile int db;
    private volatile int protocol = 2;
    private volatile boolean authenticated;
    private volatile String name;
    private volatile String libName;
    private volatile String libVer;
    private volatile boolean noEvict;
    private volatile boolean noTouch;
    private volatile long lastInteractionMillis = createdMillis;
    private volatile String lastCommand = "NULL";

    /** MULTI/WATCH state, created by the first MULTI or WATCH: most connections never use one. */
    private volatile Transaction transaction;
    private BufferOutput out = new BufferOutput();
    private final ArrayDeque<byte[][]> backlog = new ArrayDeque<>();
    private boolean busy;
    /** The block this client is parked in, or null; written on the context, read by CLIENT LIST/UNBLOCK. */
    private volatile BlockedClients.Waiter waiter;
    /** Set while a transaction (EXEC) runs this client's commands: blocking commands then answer at once. */
    private boolean denyBlocking;
    private boolean wroteSinceFlush;
    private boolean closing;
    private boolean closed;
    private String protocolError;
    /** Commands of a read burst (or of the backlog) are running and their replies are not flushed yet. */
    private boolean inBurst;
    /** Replies of this burst not known yet (W acks, WAIT, forwarded commands) and those after them. */
    private final HeldReplies held = new HeldReplies();
    /** Set by a handler whose reply comes later ({@link #replyLater}); taken by {@link #reply(Reply, Acks)}. */
    private CompletableFuture<Reply> later;
    /** Set by {@link #runWhen}: later commands wait (the connection is busy) until it completes. */
    private CompletableFuture<?> barrier;
    /** Per peer, whether it acknowledged every write of this connection so far (WAIT); cluster mode only. */
    private ReplicaAcks replicaAcks;
    /** What the retry that served this client's block replicated; taken by {@link #unblocked}. */
    private Acks servedAcks = Acks.NONE;

    private Thread loopThread;
    private volatile Subscriptions subscriptions;
    /** True while subscribed to anything: the client is of class pubsub (flag P). */
    private volatile boolean pubsubClient;
    /** Set once the connection is closing or closed: deliveries stop. */
    private volatile boolean dead;
    private final ConcurrentLinkedQueue<byte[]> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean inboxScheduled = new AtomicBoolean();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** When queuedBytes first reached the soft limit (System.nanoTime), or 0 while below it. */
    private final AtomicLong softLimitSince = new AtomicLong();
    /** Bytes of pub/sub messages inside {@code out}, already counted in queuedBytes. */
    private int messageBytesInOut;
    /** End of the previous command on this loop, or the start of the current read. */
    private long clock;

    Connection(ServerWiring wiring, NetSocket socket, Context context, long id) {
        this.wiring = wiring;
        this.socket = socket;
        this.context = context;
        this.id = id;
        this.decoder = new RespDecoder(RespLimits.defaults().withMaxBulkLen(wiring.settings().protoMaxBulkLen()));
        this.authenticated = wiring.settings().requirepass().isEmpty();
        this.decoder.authenticated(authenticated);
        this.addr = format(socket.remoteAddress());
        this.laddr = format(socket.localAddress());
    }

    void start() {
        // Called from the connect handler, i.e. on this connection's event loop for its whole life.
        loopThread = Thread.currentThread();
        socket.handler(this::onData);
        socket.closeHandler(v -> onClosed());
        socket.exceptionHandler(e -> socket.close());
        socket.drainHandler(v -> resumeIfIdle());
    }

    /** Writes a one-line error and closes: for connections refused before they are admitted. */
    static void refuse(NetSocket socket, String message) {
        socket.end(Buffer.buffer("-" + message + "\r\n"));
    }

    // ---------------------------------------------------------------- reading and executing

    private void onData(Buffer data) {
        if (closing || protocolError != null) {
            return;
        }
        lastInteractionMillis = System.currentTimeMillis();
        clock = System.nanoTime();
        inBurst = true;
        // Messages published before these commands arrived go out before their replies.
        emitInbox();
        ByteBuf bb = data.getByteBuf();
        // the burst's string overwrites reach RocksDB as one batch, before endOfBurst asks for durability
        wiring.keyspace().deferWrites();
        try {
            if (bb.hasArray()) {
                decoder.decode(bb.array(), bb.arrayOffset() + bb.readerIndex(), bb.readableBytes(), this);
            } else {
                byte[] copy = data.getBytes();
                decoder.decode(copy, 0, copy.length, this);
            }
        } catch (RespProtocolException e) {
            // Commands decoded before the bad bytes (some may wait in the backlog) still run and
            // are answered; flush() then sends the error and closes.
            protocolError = e.getMessage();
            socket.pause();
        } finally {
            endDeferredWrites();
        }
        endOfBurst();
    }

    /** Ends the burst's write scope (committing its batch); what it deferred makes the replies await durable(). */
    private void endDeferredWrites() {
        try {
            if (wiring.keyspace().endDeferredWrites()) {
                wroteSinceFlush = true;
            }
        } catch (io.hyperkv.store.StoreException e) {
            // the batch did not reach RocksDB: durable() now fails, and endOfBurst closes instead of replying
            wroteSinceFlush = true;
        }
    }

    /** Called by the decoder for each complete command, in order. */
    @Override
    public void command(byte[][] argv) {
        if (busy || waiter != null || !backlog.isEmpty()) {
            backlog.add(argv);
            if (waiter != null && backlog.size() >= BLOCKED_BACKLOG_LIMIT) {
                socket.pause();
            }
        } else if (!closing) {
            execute(argv);
        }
    }

    private void execute(byte[][] argv) {
        CommandSpec spec = wiring.dispatcher().resolve(argv);
        lastCommand = spec != null ? spec.name() : "NULL";
        if (refusedWhileSubscribed(spec, argv)) {
            // before MULTI queueing too, as Redis checks subscriber mode first
            reply(subscriberModeError(spec));
            long now = System.nanoTime();
            wiring.meters().record(spec, now - clock);
            clock = now;
            return;
        }
        boolean exec = false;
        Router router = router();
        if (transaction != null && transaction.active()) {
            if (!Transaction.runsImmediately(spec)) {
                Reply crossSlot = router == null ? null : router.refuseQueued(this, spec, argv);
                reply(crossSlot != null ? transaction.refuse(crossSlot)
                        : transaction.queue(wiring.dispatcher(), this, spec, argv));
                clock = System.nanoTime();
                return;
            }
            exec = spec.name().equals("exec");
        }
        // EXEC has no WRITE flag, but its reply must wait for the fsync of what it wrote
        boolean writes = spec != null && (spec.has(CommandFlag.WRITE) || exec && transaction.writes());
        if (writes) {
            wroteSinceFlush = true;
        }
        // cluster mode: what a write commits is shipped to the other owners, and its reply waits for W of them
        Replicator replicator = writes ? wiring.replicator() : null;
        if (spec != null && (spec.has(CommandFlag.SLOW_PATH) || exec && transaction.slow())) {
            if (exec) {
                transaction.handedToWorker();
            }
            executeOnWorker(spec, argv, replicator, router);
            return;
        }
        Ran ran = run(spec, argv, replicator, router);
        Reply reply = ran.reply();
        // One clock read per command: commands of a burst run back to back, so the time since the
        // previous command ended (or the read began) is this command's execution plus its decoding.
        long now = System.nanoTime();
        wiring.meters().record(spec, now - clock);
        clock = now;
        if (reply == Reply.DEFERRED) {
            // parked by block(): the reply comes through unblocked()
            return;
        }
        reply(reply, ran.acks());
        if (barrier != null) {
            enterBusy();
            awaitBarrier();
        }
    }

    /** While busy: leaves busy and runs the backlog once the barrier a command set is passed. */
    private void awaitBarrier() {
        CompletableFuture<?> b = barrier;
        barrier = null;
        b.whenComplete((v, e) -> context.runOnContext(x -> {
            leaveBusy();
            drainBacklog();
        }));
    }

    /**
     * Called by a handler (the cluster router): {@code argv} runs on this connection's loop once {@code ready}
     * completes, its reply taking the current command's place, and the commands after it wait until then, so it
     * sees exactly the writes that came before it. A {@link QuorumReads.NoQuorum} failure is the reply instead.
     */
    void runWhen(CompletableFuture<Void> ready, byte[][] argv) {
        CompletableFuture<Reply> reply = ready.handleAsync((v, e) -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e;
            if (cause instanceof QuorumReads.NoQuorum q) {
                return q.reply();
            }
            return cause != null ? Reply.error("ERR " + cause.getMessage()) : dispatch(null, argv, null);
        }, task -> context.runOnContext(x -> task.run()));
        later = reply;
        barrier = reply;
    }

    /** A reply with the acknowledgements it waits for. */
    private record Ran(Reply reply, Acks acks) {
    }

    /**
     * Dispatches {@code argv} (or routes it, given a {@code router}), collecting what it replicates when
     * {@code replicator} is given.
     */
    private Ran run(CommandSpec spec, byte[][] argv, Replicator replicator, Router router) {
        if (replicator == null) {
            return new Ran(dispatch(spec, argv, router), Acks.NONE);
        }
        Replicator.Scope scope = replicator.open();
        try {
            Reply reply = dispatch(spec, argv, router);
            return new Ran(reply, scope.ship());
        } finally {
            scope.ship(); // no-op unless dispatch threw an Error: the scope must not outlive the command
        }
    }

    /**
     * The reply of a command that ran: at once, or held until the W acknowledgements of what it replicated are in
     * ({@code -NOQUORUM} when they do not come within the bound), or until the reply its handler announced with
     * {@link #replyLater} is known.
     */
    private void reply(Reply reply, Acks acks) {
        CompletableFuture<Reply> pending = later;
        later = null;
        if (acks != Acks.NONE) {
            replicaAcks().record(acks);
            Acks.Outcome known = acks.quorum().getNow(null);
            if (known == null || !known.met()) {
                CompletableFuture<Reply> result = pending != null ? pending : CompletableFuture.completedFuture(reply);
                pending = result.thenCombine(acks.quorum(), (r, o) -> o.met() ? r : noQuorum(o));
            }
        }
        if (pending != null) {
            held.hold(out, pending, protocol);
            return;
        }
        reply(reply);
    }

    private Reply noQuorum(Acks.Outcome o) {
        return Reply.error("NOQUORUM " + o.acked() + " of " + o.needed() + " required replicas acknowledged the write"
                + " within " + wiring.replicator().ackTimeout().toMillis() + " ms; it is applied on "
                + (o.acked() == 1 ? "1 replica" : o.acked() + " replicas") + " and will reach the others later");
    }

    /**
     * Called by a handler running on this connection's loop: its reply is {@code reply} once that completes, not
     * the value it returns; later commands keep running and their replies follow it in order.
     */
    void replyLater(CompletableFuture<Reply> reply) {
        later = reply;
    }

    /** WAIT: see {@link WaitCommand}. The reply is announced with {@link #replyLater} when it must wait. */
    Reply waitForReplicas(long wanted, long timeoutMillis) {
        Coordinator coordinator = wiring.coordinator();
        if (coordinator != null && (replicaAcks == null || !replicaAcks.wrote())) {
            return Reply.integer(coordinator.reachablePeers());
        }
        ReplicaAcks acks = replicaAcks();
        int now = acks.acknowledged();
        if (now >= wanted || !mayBlock()) {
            return Reply.integer(now);
        }
        replyLater(acks.await((int) Math.min(wanted, Integer.MAX_VALUE), timeoutMillis).thenApply(Reply::integer));
        return Reply.OK;
    }

    /** This connection's WAIT bookkeeping, created by its first replicated write. */
    ReplicaAcks replicaAcks() {
        if (replicaAcks == null) {
            replicaAcks = new ReplicaAcks();
        }
        return replicaAcks;
    }

    private void reply(Reply reply) {
        if (reply == null) {
            // SHUTDOWN accepted: Redis sends nothing and the connection goes away with the server.
            closing = true;
            return;
        }
        RespEncoder.encode(reply, protocol, out);
    }

    /**
     * RESP2 subscriber mode: only the (un)subscribe commands, PING, QUIT and RESET run. Unknown
     * commands, arity errors and NOAUTH are reported first, as Redis checks them first.
     */
    private boolean refusedWhileSubscribed(CommandSpec spec, byte[][] argv) {
        return pubsubClient && protocol == 2 && spec != null && authenticated
                && spec.arityAccepts(argv.length)
                && !(spec.handler() == null && !spec.subcommands().isEmpty())
                && !SUBSCRIBER_MODE_COMMANDS.contains(spec.name());
    }

    private static Reply subscriberModeError(CommandSpec spec) {
        return Reply.error("ERR Can't execute '" + spec.name()
                + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
    }

    /**
     * The router of this connection's commands: none on a single node, and none for another node's forwarding
     * connection, whose commands always run here (one hop at most, see {@link Forwarder}).
     */
    private Router router() {
        Coordinator coordinator = wiring.coordinator();
        return coordinator == null || Forwarder.LINK_NAME.equals(name) ? null : coordinator.router();
    }

    private Reply dispatch(CommandSpec spec, byte[][] argv, Router router) {
        try {
            Reply routed = router == null ? null : router.route(this, spec, argv);
            return routed != null ? routed : wiring.dispatcher().dispatch(this, argv);
        } catch (RuntimeException e) {
            // A handler bug must cost one reply, not the connection or the event loop.
            String msg = String.valueOf(e.getMessage()).replace('\r', ' ').replace('\n', ' ');
            return Reply.error("ERR internal error: " + e.getClass().getSimpleName() + ": " + msg);
        }
    }

    private void executeOnWorker(CommandSpec spec, byte[][] argv, Replicator replicator, Router router) {
        enterBusy();
        long start = System.nanoTime();
        wiring.vertx().<Ran>executeBlocking(() -> run(spec, argv, replicator, router), false).onComplete(ar -> {
            wiring.meters().record(spec, System.nanoTime() - start);
            if (ar.succeeded()) {
                reply(ar.result().reply(), ar.result().acks());
            } else {
                reply(Reply.error("ERR internal error: " + ar.cause()));
            }
            clock = System.nanoTime();
            if (barrier != null) {
                awaitBarrier(); // still busy
                return;
            }
            leaveBusy();
            drainBacklog();
        });
    }

    private void drainBacklog() {
        clock = System.nanoTime();
        inBurst = true;
        wiring.keyspace().deferWrites();
        try {
            while (!busy && waiter == null && !backlog.isEmpty()) {
                byte[][] argv = backlog.poll();
                if (!closing) {
                    execute(argv);
                }
            }
        } finally {
            endDeferredWrites();
        }
        if (!busy) {
            endOfBurst();
        }
    }

    /**
     * The decoder has consumed the bytes of one read (or the backlog ran dry): send the replies,
     * after the fsync that makes this burst's writes durable when the policy asks for one.
     */
    private void endOfBurst() {
        if (busy || closed) {
            return;
        }
        CompletableFuture<Void> durable = null;
        if (wroteSinceFlush) {
            wroteSinceFlush = false;
            durable = wiring.keyspace().durable();
        }
        CompletableFuture<Void> known = held.isEmpty() ? null : held.ready();
        boolean waitDurable = durable != null && !durable.isDone();
        if (waitDurable || known != null && !known.isDone()) {
            enterBusy();
            CompletableFuture<Void> fsynced = waitDurable ? durable : CompletableFuture.completedFuture(null);
            CompletableFuture.allOf(fsynced, known == null ? fsynced : known).whenComplete((v, e) ->
                    context.runOnContext(x -> {
                        if (e != null) {
                            // Redis replies to writes it could not persist with a MISCONF-like error; we
                            // cannot retract replies already encoded, so close: the client sees the
                            // write as unacknowledged, which is the truth.
                            out = new BufferOutput();
                            held.clear();
                            queuedBytes.addAndGet(-messageBytesInOut);
                            messageBytesInOut = 0;
                            closing = true;
                            socket.close();
                        }
                        leaveBusy();
                        // runs what arrived meanwhile, then comes back here to release the held replies
                        drainBacklog();
                    }));
            return;
        }
        if (known != null) {
            out = held.release(out);
        }
        flush();
    }

    private void flush() {
        inBurst = false;
        if (out.size() > 0) {
            int n = out.size();
            long queued = queuedBytes.addAndGet(n - messageBytesInOut);
            messageBytesInOut = 0;
            socket.write(out.take()).onComplete(ar -> queuedBytes.addAndGet(-n));
            if (overLimit(queued)) {
                closeForOutputBuffer(queued);
            }
        }
        if (protocolError != null) {
            closing = true;
            socket.end(Buffer.buffer("-ERR " + protocolError + "\r\n"));
            protocolError = null;
            return;
        }
        if (closing) {
            socket.end();
            return;
        }
        if (socket.writeQueueFull()) {
            socket.pause();
        }
    }

    private void enterBusy() {
        busy = true;
        wiring.busyConnections().incrementAndGet();
        socket.pause();
    }

    private void leaveBusy() {
        if (busy) { // false when the socket closed while we waited: onClosed already accounted for it
            busy = false;
            wiring.busyConnections().decrementAndGet();
        }
        resumeIfIdle();
    }

    private void resumeIfIdle() {
        if (!busy && !closing && !closed && protocolError == null && !socket.writeQueueFull()) {
            socket.resume();
        }
    }

    private void onClosed() {
        closed = true;
        dead = true;
        if (subscriptions != null) {
            subscriptions.clear();
            pubsubClient = false;
        }
        inbox.clear();
        BlockedClients.Waiter w = waiter;
        if (w != null) {
            waiter = null;
            wiring.blocked().cancel(w);
        }
        if (busy) {
            busy = false;
            wiring.busyConnections().decrementAndGet();
        }
        backlog.clear();
        held.clear();
        // an EXEC running on a worker owns the transaction until it ends, and resets it itself
        if (transaction != null && !transaction.onWorker()) {
            transaction.reset();
        }
        wiring.clients().remove(this);
    }

    // ---------------------------------------------------------------- pub/sub delivery

    /** Called by the hub from any thread: queue the message for this connection's loop. */
    @Override
    public void deliver(PubSubHub.Message message) {
        if (dead) {
            return;
        }
        byte[] bytes = message.encoded(protocol);
        long queued = queuedBytes.addAndGet(bytes.length);
        if (overLimit(queued)) {
            queuedBytes.addAndGet(-bytes.length);
            closeForOutputBuffer(queued);
            return;
        }
        if (Thread.currentThread() == loopThread) {
            // Published from this loop (by this connection's own command or by a neighbour on the
            // same loop): earlier messages from other threads go first, then this one.
            emitInbox();
            emit(bytes);
        } else {
            inbox.add(bytes);
            if (inboxScheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> {
                    inboxScheduled.set(false);
                    emitInbox();
                });
            }
        }
    }

    /** This node stopped serving a shard channel: leave it on this connection's loop and tell the client. */
    @Override
    public void shardChannelGone(byte[] channel) {
        context.runOnContext(v -> {
            Subscriptions s = subscriptions;
            PubSubHub.Message notice = s == null || dead ? null : s.leaveMovedShardChannel(channel);
            if (notice != null) {
                subscriptionsChanged();
                deliver(notice);
            }
        });
    }

    private void emitInbox() {
        byte[] first = inbox.poll();
        if (first == null) {
            return;
        }
        byte[] next = inbox.poll();
        if (next == null) {
            emit(first);
            return;
        }
        // Several messages waited: one socket write (or one append) for all of them.
        ByteBuf batch = Unpooled.buffer(first.length + next.length + 64);
        batch.writeBytes(first).writeBytes(next);
        for (byte[] b = inbox.poll(); b != null; b = inbox.poll()) {
            batch.writeBytes(b);
        }
        emit(batch);
    }

    /** On the loop: message bytes (already counted) join the burst being answered, or go out now. */
    private void emit(byte[] bytes) {
        emit(Unpooled.wrappedBuffer(bytes));
    }

    private void emit(ByteBuf bytes) {
        int n = bytes.readableBytes();
        if (closed) {
            queuedBytes.addAndGet(-n);
        } else if (inBurst || busy) {
            out.writeBytes(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), n);
            messageBytesInOut += n;
        } else {
            socket.write(Buffer.buffer(bytes)).onComplete(ar -> queuedBytes.addAndGet(-n));
        }
    }

    /**
     * Redis's checkClientOutputBufferLimits: over the hard limit, or at or above the soft limit
     * continuously for longer than its seconds. The soft clock restarts whenever a check finds the
     * client below the soft limit.
     */
    private boolean overLimit(long queuedBytes) {
        OutputBufferLimits limits = wiring.pubsub().limits();
        OutputBufferLimits.Limit l = pubsubClient ? limits.pubsub() : limits.normal();
        if (l.unbounded()) {
            return false;
        }
        // Redis counts only the reply list beyond each client's fixed 16 KB reply buffer: a small
        // reply never trips even a tiny limit, so the same allowance applies here.
        long queued = queuedBytes - REPLY_BUFFER_ALLOWANCE;
        if (l.hardBytes() > 0 && queued >= l.hardBytes()) {
            return true;
        }
        if (l.softBytes() > 0 && queued >= l.softBytes()) {
            long now = System.nanoTime();
            long since = softLimitSince.get();
            if (since == 0) {
                softLimitSince.compareAndSet(0, now);
                return false;
            }
            return now - since > l.softSeconds() * 1_000_000_000L;
        }
        softLimitSince.set(0);
        return false;
    }

    private void closeForOutputBuffer(long queued) {
        if (dead) {
            return;
        }
        dead = true;
        wiring.pubsub().countOutputBufferDisconnection(queued);
        LOG.infof("Client id=%d addr=%s closed for overcoming of output buffer limits (class %s): %d bytes queued",
                id, addr, pubsubClient ? "pubsub" : "normal", queued);
        context.runOnContext(v -> abort());
    }

    /**
     * Closes now, dropping whatever is still queued for the client, as Redis's freeClient does.
     * Vert.x's own close waits for queued bytes to drain, which never happens for a client that
     * does not read; closing from Vert.x's handler context downwards skips that wait.
     */
    private void abort() {
        closing = true;
        if (socket instanceof NetSocketInternal internal) {
            internal.channelHandlerContext().close();
        } else {
            socket.close();
        }
    }

    /** The connection's subscriptions, created on first use; only on this connection's loop. */
    Subscriptions subscriptions() {
        Subscriptions s = subscriptions;
        if (s == null) {
            s = new Subscriptions(wiring.pubsub(), this);
            subscriptions = s;
        }
        return s;
    }

    /** After (un)subscribing: the client is of class pubsub exactly while it holds a subscription. */
    void subscriptionsChanged() {
        Subscriptions s = subscriptions;
        pubsubClient = s != null && s.active();
    }

    boolean pubsubClient() {
        return pubsubClient;
    }

    /** Bytes waiting to reach the kernel for this client (CLIENT LIST omem). */
    long queuedBytes() {
        return Math.max(0, queuedBytes.get());
    }

    /**
     * An extra reply frame before the one the handler returns: (UN)SUBSCRIBE answers once per
     * channel. Only for commands running on this loop.
     */
    void pushReply(Reply reply) {
        RespEncoder.encode(reply, protocol, out);
    }

    // ---------------------------------------------------------------- blocking

    @Override
    public boolean mayBlock() {
        // inside MULTI/EXEC a blocking command answers at once as its non-blocking form, as Redis
        return !denyBlocking && !inMulti();
    }

    /**
     * Redis's CLIENT_DENY_BLOCKING: while set, {@link #mayBlock()} is false and blocking commands
     * behave as their non-blocking forms (for EXEC, which runs queued commands back to back).
     */
    void denyBlocking(boolean value) {
        denyBlocking = value;
    }

    /** Parks this client; only from a handler running on this connection's event loop. */
    @Override
    public Reply block(BlockRequest request) {
        if (waiter != null || denyBlocking) {
            throw new IllegalStateException("client " + id + " cannot block now");
        }
        if (!Context.isOnEventLoopThread()) {
            // a handler on a worker (SLOW_PATH) must not park: the timer and the retries belong to the loop
            throw new IllegalStateException("a blocking command must run on its connection's event loop");
        }
        waiter = wiring.blocked().block(this, context, request);
        return Reply.DEFERRED;
    }

    /** Called by {@link BlockedClients} on this context when the block ends. */
    @Override
    public void unblocked(Reply reply, boolean wrote) {
        waiter = null;
        Acks acks = wrote ? servedAcks : Acks.NONE;
        servedAcks = Acks.NONE;
        if (closed) {
            return;
        }
        // a pop served later is a write like any other: in cluster mode its reply waits for W (or is -NOQUORUM)
        reply(reply, acks);
        if (wrote) {
            wroteSinceFlush = true;
        }
        resumeIfIdle();
        drainBacklog();
    }

    /**
     * Called by {@link BlockedClients} on this context: a retry of the blocked command, in a replication scope; in
     * cluster mode a block on keys of a slot this node no longer owns ends with {@code -MOVED}.
     */
    @Override
    public Reply retry(BlockRequest request) {
        Coordinator coordinator = wiring.coordinator();
        if (coordinator == null) {
            return request.attempt().attempt();
        }
        // the slot moved away (a topology took it from this node): pushes now happen at its owners; Redis says MOVED
        Reply moved = coordinator.movedAway(KeySlot.of(request.keys().get(0)));
        if (moved != null) {
            servedAcks = Acks.NONE;
            return moved;
        }
        Replicator.Scope scope = coordinator.replicator().open();
        try {
            Reply reply = request.attempt().attempt();
            Acks acks = scope.ship();
            servedAcks = reply != null ? acks : Acks.NONE;
            return reply;
        } finally {
            scope.ship(); // no-op unless the attempt threw: the scope must not outlive it
        }
    }

    /** CLIENT UNBLOCK from any thread: true if this client was blocked (the block ends on its context). */
    boolean unblockByRequest(boolean error) {
        BlockedClients.Waiter w = waiter;
        if (w == null || w.state() != BlockedClients.State.WAITING) {
            return false;
        }
        wiring.blocked().unblock(w, error);
        return true;
    }

    boolean blocked() {
        return waiter != null;
    }

    // ---------------------------------------------------------------- controls used by commands

    /** Reply to the current command, then close (QUIT, CLIENT KILL of oneself). */
    void closeAfterReply() {
        closing = true;
    }

    /** Closes from any thread; used by CLIENT KILL and shutdown. */
    void kill() {
        dead = true;
        context.runOnContext(v -> {
            closing = true;
            socket.close();
        });
    }

    /** This connection's MULTI/WATCH state (created on first use). */
    Transaction transaction() {
        if (transaction == null) {
            transaction = new Transaction(wiring.watchedKeys().newWatcher());
        }
        return transaction;
    }

    io.hyperkv.command.Dispatcher dispatcher() {
        return wiring.dispatcher();
    }

    void authenticate(boolean value) {
        authenticated = value;
        decoder.authenticated(value);
    }

    void protocol(int version) {
        protocol = version;
    }

    void name(String value) {
        name = value;
    }

    String name() {
        return name;
    }

    void libName(String value) {
        libName = value;
    }

    void libVer(String value) {
        libVer = value;
    }

    void noEvict(boolean value) {
        noEvict = value;
    }

    void noTouch(boolean value) {
        noTouch = value;
    }

    boolean noTouch() {
        return noTouch;
    }

    boolean noEvict() {
        return noEvict;
    }

    String addr() {
        return addr;
    }

    String laddr() {
        return laddr;
    }

    long ageSeconds() {
        return (System.currentTimeMillis() - createdMillis) / 1000;
    }

    /** One line of CLIENT LIST / CLIENT INFO, with Redis's field names and order; without the newline. */
    String describe() {
        long now = System.currentTimeMillis();
        Subscriptions subs = subscriptions;
        StringBuilder flags = new StringBuilder();
        if (pubsubClient) {
            flags.append('P');
        }
        Transaction tx = transaction;
        if (tx != null && tx.active()) {
            flags.append('x');
        }
        if (waiter != null) {
            flags.append('b');
        }
        if (tx != null && tx.dirty()) {
            flags.append('d');
        }
        if (noEvict) {
            flags.append('e');
        }
        if (noTouch) {
            flags.append('T');
        }
        if (flags.length() == 0) {
            flags.append('N');
        }
        return "id=" + id
                + " addr=" + addr
                + " laddr=" + laddr
                + " fd=-1"
                + " name=" + (name == null ? "" : name)
                + " age=" + (now - createdMillis) / 1000
                + " idle=" + (now - lastInteractionMillis) / 1000
                + " flags=" + flags
                + " db=" + db
                + " sub=" + (subs == null ? 0 : subs.channels())
                + " psub=" + (subs == null ? 0 : subs.patterns())
                + " ssub=" + (subs == null ? 0 : subs.shards())
                + " multi=" + (tx == null ? -1 : tx.multiField())
                + " qbuf=" + decoder.bufferedBytes()
                + " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0"
                + " omem=" + queuedBytes() + " tot-mem=0"
                + " events=r"
                + " cmd=" + lastCommand
                + " user=default redir=-1"
                + " resp=" + protocol
                + " lib-name=" + (libName == null ? "" : libName)
                + " lib-ver=" + (libVer == null ? "" : libVer);
    }

    // ---------------------------------------------------------------- ClientSession

    @Override
    public long id() {
        return id;
    }

    @Override
    public int db() {
        return db;
    }

    @Override
    public void selectDb(int value) {
        db = value;
    }

    @Override
    public int protocol() {
        return protocol;
    }

    @Override
    public boolean authenticated() {
        return authenticated;
    }

    @Override
    public boolean inMulti() {
        Transaction tx = transaction;
        return tx != null && tx.active();
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new IllegalArgumentException("a connection is not a " + type.getName());
    }

    private static String format(SocketAddress a) {
        if (a == null) {
            return "";
        }
        return a.hostAddress() + ":" + a.port();
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
