package io.hyperkv.server;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The RESP listener: one Vert.x {@link NetServer} per event loop, all on the same address, so that
 * Vert.x spreads accepted connections over the loops and each connection lives on one loop for its
 * whole life. The actual port ({@code hyperkv.port=0} picks a free one) is known once
 * {@link #start} returns and is logged, which is how tests and scripts find it.
 */
@ApplicationScoped
public class RespListener {

    private static final Logger LOG = Logger.getLogger(RespListener.class);

    private final List<String> deployments = new ArrayList<>();
    private volatile int port = -1;
    private volatile boolean refusing;

    /** The bound port, or -1 before start and after stop. */
    public int port() {
        return port;
    }

    public boolean bound() {
        return port > 0;
    }

    /**
     * From now on every new connection is answered with one error line and closed, while the port stays bound and the
     * connections already open keep working (a drain closes them once they are idle). Closing the servers instead would
     * close every connection they accepted, commands in flight included.
     */
    void refuseNewConnections() {
        refusing = true;
    }

    void start(ServerWiring wiring, String host, int requestedPort, int loops, Duration timeout) throws Exception {
        Vertx vertx = wiring.vertx();
        // Servers of one Vert.x instance on the same host and port share one bound socket and take
        // turns accepting. Port 0 would give each server its own random port; a negative port is
        // Vert.x's way to say "one random port shared by every server that asks for this value".
        int listenPort = requestedPort == 0 ? -1 : requestedPort;
        String id = vertx.deployVerticle(() -> new ListenerVerticle(this, wiring, host, listenPort),
                        new DeploymentOptions().setInstances(loops))
                .toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        deployments.add(id);
        int actual = ListenerVerticle.lastBoundPort;
        port = actual;
        LOG.infof("HyperKV RESP listening on %s port %d (%d event loops, %s transport)", host, actual, loops,
                vertx.isNativeTransportEnabled() ? "native" : "NIO");
    }

    void stop(Vertx vertx, Duration timeout) {
        port = -1;
        for (String id : deployments) {
            try {
                vertx.undeploy(id).toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warnf("RESP listener did not stop cleanly: %s", e.toString());
            }
        }
        deployments.clear();
    }

    /** One NetServer on one event loop; every accepted socket becomes a {@link Connection} on this loop. */
    static final class ListenerVerticle extends AbstractVerticle {

        /** Written by each instance before its deployment completes (all share one port); read after that. */
        static volatile int lastBoundPort;

        private final RespListener listener;
        private final ServerWiring wiring;
        private final String host;
        private final int port;
        private NetServer server;

        ListenerVerticle(RespListener listener, ServerWiring wiring, String host, int port) {
            this.listener = listener;
            this.wiring = wiring;
            this.host = host;
            this.port = port;
        }

        @Override
        public void start(Promise<Void> started) {
            NetServerOptions options = new NetServerOptions()
                    .setHost(host)
                    .setPort(port)
                    .setTcpNoDelay(true)
                    .setTcpKeepAlive(true)
                    .setReuseAddress(true)
                    .setAcceptBacklog(511);
            server = vertx.createNetServer(options);
            server.connectHandler(socket -> {
                if (listener.refusing) {
                    Connection.refuse(socket, "ERR this node is draining before a restart; connect to another node");
                    return;
                }
                Connection connection = new Connection(wiring, socket, context, wiring.clients().nextId());
                if (!wiring.clients().admit(connection, wiring.settings().maxclients())) {
                    Connection.refuse(socket, "ERR max number of clients reached");
                    return;
                }
                connection.start();
            });
            server.listen().onComplete(ar -> {
                if (ar.succeeded()) {
                    lastBoundPort = ar.result().actualPort();
                    started.complete();
                } else {
                    started.fail(ar.cause());
                }
            });
        }

        @Override
        public void stop(Promise<Void> stopped) {
            server.close().onComplete(ar -> stopped.complete());
        }
    }
}
