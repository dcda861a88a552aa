package io.hyperkv.server;

import io.hyperkv.cluster.PeerAddress;
import io.hyperkv.cluster.bus.PeerLink;
import io.hyperkv.cluster.bus.Transport;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The Vert.x side of the replication bus: one verticle, hence one event loop, owns the bus's listener, its client
 * and its timers, so every callback of {@link io.hyperkv.cluster.bus.BusNode} runs on that one thread. The bus listens
 * on its own port ({@code hyperkv.cluster.bus-port}); its sockets have a bounded write queue, which is what
 * {@link PeerLink#writeQueueFull()} reports.
 *
 * <p>Lifecycle: {@link #start} deploys the verticle; {@link #listen} binds the port (connections are refused until
 * {@link #acceptor} is set); {@link #close} undeploys, which closes the listener, the client and the timers.
 */
public final class BusTransport implements Transport {

    private static final Logger LOG = Logger.getLogger(BusTransport.class);

    /** Bytes a bus socket may hold unsent before the link reports itself full. */
    static final int WRITE_QUEUE_BYTES = 1024 * 1024;

    private final Vertx vertx;
    private final BusVerticle verticle = new BusVerticle();
    private final Executor blocking;
    private volatile String deploymentId;
    private volatile Consumer<PeerLink> acceptor;
    private NetServer server;

    private BusTransport(Vertx vertx) {
        this.vertx = vertx;
        this.blocking = task -> vertx.executeBlocking(() -> {
            task.run();
            return null;
        }, false);
    }

    /** Deploys the bus verticle on {@code vertx}. */
    public static BusTransport start(Vertx vertx, Duration timeout) throws Exception {
        BusTransport t = new BusTransport(vertx);
        t.deploymentId = vertx.deployVerticle(t.verticle).toCompletionStage().toCompletableFuture()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return t;
    }

    /** Binds the bus port (0: a free one) and returns the port bound. */
    public int listen(String host, int port, Duration timeout) throws Exception {
        java.util.concurrent.CompletableFuture<Integer> bound = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            server = vertx.createNetServer(new NetServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
                    .setTcpKeepAlive(true).setReuseAddress(true));
            server.connectHandler(socket -> {
                Consumer<PeerLink> a = acceptor;
                if (a == null) {
                    socket.close();
                    return;
                }
                a.accept(new SocketLink(socket));
            });
            server.listen().onComplete(ar -> {
                if (ar.succeeded()) {
                    bound.complete(ar.result().actualPort());
                } else {
                    bound.completeExceptionally(ar.cause());
                }
            });
        });
        int actual = bound.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        LOG.infof("HyperKV cluster bus listening on %s port %d", host, actual);
        return actual;
    }

    /** Where accepted connections go (the bus node's {@code accept}). */
    public void acceptor(Consumer<PeerLink> acceptor) {
        this.acceptor = acceptor;
    }

    /** Undeploys the verticle: closes the listener, every socket it opened, and its timers. */
    public void close(Duration timeout) {
        String id = deploymentId;
        deploymentId = null;
        if (id == null) {
            return;
        }
        try {
            vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warnf("the cluster bus did not stop cleanly: %s", e.toString());
        }
    }

    @Override
    public void connect(PeerAddress address, Consumer<PeerLink> connected, Consumer<Throwable> failed) {
        verticle.client().connect(address.busPort(), address.host()).onComplete(ar -> {
            if (ar.succeeded()) {
                connected.accept(new SocketLink(ar.result()));
            } else {
                failed.accept(ar.cause());
            }
        });
    }

    @Override
    public Runnable schedule(long delayMillis, Runnable task) {
        long id = vertx.setTimer(Math.max(1, delayMillis), x -> task.run());
        return () -> vertx.cancelTimer(id);
    }

    @Override
    public void execute(Runnable task) {
        Context c = verticle.context();
        if (c == null) {
            return; // undeployed
        }
        c.runOnContext(v -> task.run());
    }

    @Override
    public Executor blocking() {
        return blocking;
    }

    @Override
    public long nowMillis() {
        return System.nanoTime() / 1_000_000;
    }

    /** Gives the bus its own event loop context, and ties the client and timers to it. */
    private static final class BusVerticle extends AbstractVerticle {
        private volatile NetClient client;

        NetClient client() {
            return client;
        }

        Context context() {
            return context;
        }

        @Override
        public void start() {
            client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(2_000).setTcpNoDelay(true)
                    .setTcpKeepAlive(true));
        }
    }

    /** A bus connection over a Vert.x socket. */
    private static final class SocketLink implements PeerLink {
        private final NetSocket socket;
        private final String remote;

        SocketLink(NetSocket socket) {
            this.socket = socket;
            this.remote = String.valueOf(socket.remoteAddress());
            socket.setWriteQueueMaxSize(WRITE_QUEUE_BYTES);
        }

        @Override
        public void events(Events events) {
            socket.handler(buf -> events.bytes(buf.getBytes()));
            socket.closeHandler(v -> events.closed());
            socket.exceptionHandler(t -> {
                LOG.debugf("bus connection with %s failed: %s", remote, t.toString());
                socket.close();
            });
        }

        @Override
        public void write(byte[] frame) {
            socket.write(Buffer.buffer(frame));
        }

        @Override
        public boolean writeQueueFull() {
            return socket.writeQueueFull();
        }

        @Override
        public void onDrain(Runnable task) {
            socket.drainHandler(v -> {
                socket.drainHandler(null);
                task.run();
            });
        }

        @Override
        public void pause() {
            socket.pause();
        }

        @Override
        public void resume() {
            socket.resume();
        }

        @Override
        public void close() {
            socket.close();
        }

        @Override
        public String remote() {
            return remote;
        }
    }
}
