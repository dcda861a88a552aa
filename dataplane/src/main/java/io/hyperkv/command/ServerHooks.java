package io.hyperkv.command;

import java.util.List;

/**
 * What the server lends the command families: its INFO sections (server, clients, and any
 * fields of other sections it owns) and the way to stop. Implemented by the server; tests pass a
 * small stand-in.
 */
public interface ServerHooks {

    /** INFO providers owned by the server, in the order their sections should appear. */
    List<InfoSection> infoSections();

    /**
     * Stops the server after the data is flushed; {@code save} asks for a checkpoint first.
     * Returns null once the shutdown is under way (the client then gets no reply, as in Redis),
     * or an error text (e.g. {@code ERR Errors trying to SHUTDOWN. Check logs.}) if it refused.
     */
    String shutdown(boolean save, boolean now, boolean force);

    /** This node's cluster membership, for CLUSTER and INFO; a node without cluster support keeps the default. */
    default ClusterView cluster() {
        return ClusterView.DISABLED;
    }

    /** A stand-in with no sections that refuses to shut down: for tests and embedded use. */
    static ServerHooks none() {
        return new ServerHooks() {
            @Override
            public List<InfoSection> infoSections() {
                return List.of();
            }

            @Override
            public String shutdown(boolean save, boolean now, boolean force) {
                return "ERR Errors trying to SHUTDOWN. Check logs.";
            }
        };
    }
}
