package io.hyperkv.server;

import io.hyperkv.command.BlockRequest;
import io.hyperkv.command.ClientSession;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.resp.CommandSink;
import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespDecoder;
import io.hyperkv.resp.RespEncoder;
import io.hyperkv.resp.RespLimits;
import io.hyperkv.resp.RespProtocolException;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

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
 *   <li>A client parked by a blocking command ({@link #block}) is <em>blocked</em>: replies of the
 *       commands before it are flushed, later commands wait in {@code backlog}, and reading goes on
 *       (so a disconnect is noticed and forgets the waiter) until the backlog holds
 *       {@value #BLOCKED_BACKLOG_LIMIT} commands. {@link BlockedClients} ends the block on this
 *       context; its reply then goes out like any other, after {@code durable()} since a pop writes.</li>
 * </ul>
 * Other threads (CLIENT LIST/KILL from other connections, metrics) only read the volatile fields
 * and ask the connection to close through its context.
 */
final class Connection implements ClientSession, CommandSink, BlockedClients.Receiver {

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
        ByteBuf bb = data.getByteBuf();
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
        }
        endOfBurst();
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
        boolean exec = false;
        if (transaction != null && transaction.active()) {
            if (!Transaction.runsImmediately(spec)) {
                reply(transaction.queue(wiring.dispatcher(), this, spec, argv));
                clock = System.nanoTime();
                return;
            }
            exec = spec.name().equals("exec");
        }
        // EXEC has no WRITE flag, but its reply must wait for the fsync of what it wrote
        if (spec != null && (spec.has(CommandFlag.WRITE) || exec && transaction.writes())) {
            wroteSinceFlush = true;
        }
        if (spec != null && (spec.has(CommandFlag.SLOW_PATH) || exec && transaction.slow())) {
            if (exec) {
                transaction.handedToWorker();
            }
            executeOnWorker(spec, argv);
            return;
        }
        Reply reply = dispatch(argv);
        // One clock read per command: commands of a burst run back to back, so the time since the
        // previous command ended (or the read began) is this command's execution plus its decoding.
        long now = System.nanoTime();
        wiring.meters().record(spec, now - clock);
        clock = now;
        if (reply == Reply.DEFERRED) {
            // parked by block(): the reply comes through unblocked()
            return;
        }
        reply(reply);
    }

    private void reply(Reply reply) {
        if (reply == null) {
            // SHUTDOWN accepted: Redis sends nothing and the connection goes away with the server.
            closing = true;
            return;
        }
        RespEncoder.encode(reply, protocol, out);
    }

    private Reply dispatch(byte[][] argv) {
        try {
            return wiring.dispatcher().dispatch(this, argv);
        } catch (RuntimeException e) {
            // A handler bug must cost one reply, not the connection or the event loop.
            String msg = String.valueOf(e.getMessage()).replace('\r', ' ').replace('\n', ' ');
            return Reply.error("ERR internal error: " + e.getClass().getSimpleName() + ": " + msg);
        }
    }

    private void executeOnWorker(CommandSpec spec, byte[][] argv) {
        enterBusy();
        long start = System.nanoTime();
        wiring.vertx().<Reply>executeBlocking(() -> dispatch(argv), false).onComplete(ar -> {
            wiring.meters().record(spec, System.nanoTime() - start);
            reply(ar.succeeded() ? ar.result() : Reply.error("ERR internal error: " + ar.cause()));
            clock = System.nanoTime();
            leaveBusy();
            drainBacklog();
        });
    }

    private void drainBacklog() {
        clock = System.nanoTime();
        while (!busy && waiter == null && !backlog.isEmpty()) {
            byte[][] argv = backlog.poll();
            if (!closing) {
                execute(argv);
            }
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
        if (wroteSinceFlush) {
            wroteSinceFlush = false;
            CompletableFuture<Void> durable = wiring.keyspace().durable();
            if (!durable.isDone()) {
                enterBusy();
                durable.whenComplete((v, e) -> context.runOnContext(x -> {
                    if (e != null) {
                        // Redis replies to writes it could not persist with a MISCONF-like error; we
                        // cannot retract replies already encoded, so close: the client sees the
                        // write as unacknowledged, which is the truth.
                        out = new BufferOutput();
                        closing = true;
                        socket.close();
                    }
                    leaveBusy();
                    drainBacklog();
                }));
                return;
            }
        }
        flush();
    }

    private void flush() {
        if (out.size() > 0) {
            socket.write(out.take());
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
        // an EXEC running on a worker owns the transaction until it ends, and resets it itself
        if (transaction != null && !transaction.onWorker()) {
            transaction.reset();
        }
        wiring.clients().remove(this);
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
        if (closed) {
            return;
        }
        reply(reply);
        if (wrote) {
            wroteSinceFlush = true;
        }
        resumeIfIdle();
        drainBacklog();
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
        StringBuilder flags = new StringBuilder();
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
                + " sub=0 psub=0 ssub=0 multi=" + (tx == null ? -1 : tx.multiField())
                + " qbuf=" + decoder.bufferedBytes()
                + " qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0"
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
