package io.hyperkv.server;

import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every open client connection of this node, by id: what {@code CLIENT LIST/KILL}, {@code INFO
 * clients}, {@code maxclients} and the connected-clients gauge read. Ids start at 1 and are never
 * reused while the process lives, as Redis's client ids.
 */
final class ConnectedClients {

    private final ConcurrentHashMap<Long, Connection> byId = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong totalAccepted = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    long nextId() {
        return nextId.getAndIncrement();
    }

    /** Admits a connection unless {@code maxclients} are already open; returns false when refused. */
    boolean admit(Connection connection, long maxclients) {
        // A check-then-put race can let a few connections past the limit under a burst of connects
        // on several event loops; Redis's limit is equally approximate with respect to its own fd
        // accounting, and no state depends on the bound being exact.
        if (byId.size() >= maxclients) {
            rejected.incrementAndGet();
            return false;
        }
        byId.put(connection.id(), connection);
        totalAccepted.incrementAndGet();
        return true;
    }

    void remove(Connection connection) {
        byId.remove(connection.id());
    }

    Connection get(long id) {
        return byId.get(id);
    }

    int count() {
        return byId.size();
    }

    long totalAccepted() {
        return totalAccepted.get();
    }

    long rejected() {
        return rejected.get();
    }

    Collection<Connection> all() {
        return Collections.unmodifiableCollection(byId.values());
    }
}
