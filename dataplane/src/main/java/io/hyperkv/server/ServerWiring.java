package io.hyperkv.server;

import io.hyperkv.command.Dispatcher;
import io.hyperkv.command.Settings;
import io.hyperkv.store.Keyspace;
import io.vertx.core.Vertx;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every connection of this node shares, fixed at start-up (the {@link Settings} inside may
 * change at run time through CONFIG SET: requirepass, maxclients, proto-max-bulk-len are read from
 * it when a connection opens or authenticates). {@code busyConnections} counts
 * connections that have a command on a worker or replies waiting for an fsync, so a graceful
 * shutdown can wait for them before closing the store (clients parked by a blocking command are in
 * {@code blocked}, not busy: they may wait forever, and closing them is what ends their block).
 * {@code watchedKeys} is the node's WATCH registry, {@code pubsub} its channel registry. {@code coordinator} is the
 * cluster-mode part (replication, W, forwarding): null on a single node, which then does no cluster work at all.
 */
record ServerWiring(
        Vertx vertx,
        Dispatcher dispatcher,
        Keyspace keyspace,
        ConnectedClients clients,
        CommandMeters meters,
        Settings settings,
        AtomicInteger busyConnections,
        WatchedKeys watchedKeys,
        BlockedClients blocked,
        PubSubHub pubsub,
        Coordinator coordinator) {

    /** Where a write's changes are shipped, or null on a single node. */
    Replicator replicator() {
        return coordinator == null ? null : coordinator.replicator();
    }
}
