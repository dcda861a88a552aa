package io.hyperkv.cluster;

/**
 * One member of a topology: its id, where clients reach it ({@code host:port}), the port of its replication bus, and
 * its state. Invariants: the host is non-empty text without whitespace, ports are in 1..65535.
 */
public record ClusterNode(NodeId id, String host, int port, int busPort, NodeState state) {

    public ClusterNode {
        if (id == null) {
            throw new InvalidTopologyException("a node has no id");
        }
        if (host == null || host.isEmpty() || host.length() > 255 || host.chars().anyMatch(Character::isWhitespace)) {
            String shown = host == null ? "null" : "\"" + (host.length() > 64 ? host.substring(0, 64) + "..." : host)
                    + "\"";
            throw new InvalidTopologyException("node " + id + " has an invalid host " + shown
                    + " (1 to 255 characters, no spaces)");
        }
        if (port < 1 || port > 65535) {
            throw new InvalidTopologyException("node " + id + " has port " + port + ", outside 1..65535");
        }
        if (busPort < 1 || busPort > 65535) {
            throw new InvalidTopologyException("node " + id + " has busPort " + busPort + ", outside 1..65535");
        }
        if (state == null) {
            throw new InvalidTopologyException("node " + id + " has no state");
        }
    }

    /** {@code host:port} for clients; an IPv6 literal is bracketed so the port stays unambiguous. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    public ClusterNode withState(NodeState newState) {
        return new ClusterNode(id, host, port, busPort, newState);
    }
}
