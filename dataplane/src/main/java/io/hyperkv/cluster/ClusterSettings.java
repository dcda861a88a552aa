package io.hyperkv.cluster;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The validated {@code hyperkv.cluster.*} settings of one node (their table is in {@code application.properties}).
 * {@link #of} checks every key that is set, whether or not cluster mode is on, so a typo is reported at start-up
 * rather than on the day the cluster is switched on; the rules that only make sense in cluster mode (a secret is
 * required, N fits the peer list) apply when it is on. Every failure is an {@link IllegalArgumentException} whose
 * message names the key and the value (never the secret's value) and says what is accepted.
 *
 * <p>Invariants of a built value: {@code busPort} is 0 (a free port, when the node's RESP port is 0 too) or in
 * 1..65535 and differs from the RESP port; {@code replicationFactor >= 1}; in cluster mode the secret is present and
 * N is at most the number of static peers when there are any.
 */
public record ClusterSettings(boolean enabled, int busPort, List<PeerAddress> peers, int replicationFactor,
        Consistency writeConsistency, Consistency readConsistency, Optional<String> secret, Optional<NodeId> nodeId,
        Optional<String> announceHost) {

    /** Bus port offset from the RESP port, as Redis Cluster's bus. */
    public static final int BUS_PORT_OFFSET = 10000;

    /** Shortest accepted cluster secret: it keys the bus's HMAC challenge, so it must not be guessable. */
    public static final int MIN_SECRET_LENGTH = 16;

    /** The configuration as given: what is unset is empty. */
    public record Raw(boolean enabled, int respPort, OptionalInt busPort, Optional<String> peers,
            int replicationFactor, String writeConsistency, String readConsistency, Optional<String> secret,
            Optional<String> nodeId, Optional<String> announceHost) {

        @Override
        public String toString() {
            return "Raw[enabled=" + enabled + ", respPort=" + respPort + ", busPort=" + busPort + ", peers=" + peers
                    + ", replicationFactor=" + replicationFactor + ", write=" + writeConsistency + ", read="
                    + readConsistency + ", secret=" + (secret.isPresent() ? "(set)" : "(unset)") + ", nodeId="
                    + nodeId + ", announceHost=" + announceHost + "]";
        }
    }

    public ClusterSettings {
        peers = List.copyOf(peers);
    }

    /**
     * Validates {@code raw}.
     *
     * @throws IllegalArgumentException naming the first key whose value is refused and why
     */
    public static ClusterSettings of(Raw raw) {
        int busPort = busPort(raw);
        List<PeerAddress> peers;
        try {
            peers = PeerAddress.parseList(raw.peers().orElse(""));
        } catch (IllegalArgumentException e) {
            throw invalid("hyperkv.cluster.peers", raw.peers().orElse(""),
                    e.getMessage() + "; expected comma-separated host:bus-port entries, this node included");
        }
        if (raw.replicationFactor() < 1) {
            throw invalid("hyperkv.cluster.replication-factor", Integer.toString(raw.replicationFactor()),
                    "must be at least 1");
        }
        Consistency write = consistency("hyperkv.cluster.write-consistency", raw.writeConsistency());
        Consistency read = consistency("hyperkv.cluster.read-consistency", raw.readConsistency());
        Optional<NodeId> nodeId = raw.nodeId().map(text -> {
            NodeId id;
            try {
                id = NodeId.parse(text.strip());
            } catch (IllegalArgumentException e) {
                throw invalid("hyperkv.cluster.node-id", text, e.getMessage());
            }
            if (id.value() == 0) {
                throw invalid("hyperkv.cluster.node-id", text, "0 is reserved; pick another id or leave the key"
                        + " unset to have one generated");
            }
            return id;
        });
        Optional<String> announceHost = raw.announceHost().map(String::strip);
        announceHost.ifPresent(host -> {
            if (host.isEmpty() || host.length() > 255 || host.chars().anyMatch(Character::isWhitespace)) {
                throw invalid("hyperkv.cluster.announce-host", host, "must be a host name or address of 1 to 255"
                        + " characters without spaces");
            }
        });
        Optional<String> secret = raw.secret().filter(s -> !s.isBlank());
        if (raw.enabled()) {
            if (secret.isEmpty()) {
                throw new IllegalArgumentException("hyperkv.cluster.enabled=true needs hyperkv.cluster.secret"
                        + " (HYPERKV_CLUSTER_SECRET): the shared secret that authenticates the replication bus;"
                        + " use the same random value of at least " + MIN_SECRET_LENGTH + " characters on every node");
            }
            if (secret.get().length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("invalid hyperkv.cluster.secret (value hidden): it has "
                        + secret.get().length() + " characters, at least " + MIN_SECRET_LENGTH + " are required");
            }
            if (!peers.isEmpty() && raw.replicationFactor() > peers.size()) {
                throw invalid("hyperkv.cluster.replication-factor", Integer.toString(raw.replicationFactor()),
                        "is greater than the " + peers.size() + " member" + (peers.size() == 1 ? "" : "s")
                                + " of hyperkv.cluster.peers: every slot needs that many distinct nodes");
            }
        }
        return new ClusterSettings(raw.enabled(), busPort, peers, raw.replicationFactor(), write, read, secret,
                nodeId, announceHost);
    }

    private static int busPort(Raw raw) {
        if (raw.busPort().isPresent()) {
            int p = raw.busPort().getAsInt();
            if (p < 0 || p > 65535) {
                throw invalid("hyperkv.cluster.bus-port", Integer.toString(p), "must be in 1..65535 (0: a free port)");
            }
            if (p != 0 && p == raw.respPort()) {
                throw invalid("hyperkv.cluster.bus-port", Integer.toString(p), "is also hyperkv.port; the bus"
                        + " needs its own port");
            }
            return p;
        }
        if (raw.respPort() == 0) {
            // A node on a free RESP port (tests) has no fixed port to add the offset to: its bus takes a free one too.
            return 0;
        }
        int p = raw.respPort() + BUS_PORT_OFFSET;
        if (p > 65535 && !raw.enabled()) {
            // a single node opens no bus: its RESP port may be anywhere up to 65535 (bench.sh picks free ports)
            return 0;
        }
        if (p > 65535) {
            throw new IllegalArgumentException("hyperkv.cluster.bus-port is unset and its default, hyperkv.port + "
                    + BUS_PORT_OFFSET + " = " + p + ", is above 65535: set hyperkv.cluster.bus-port");
        }
        return p;
    }

    private static Consistency consistency(String key, String word) {
        try {
            return Consistency.parse(word);
        } catch (IllegalArgumentException e) {
            throw invalid(key, word, "must be one, quorum or all");
        }
    }

    private static IllegalArgumentException invalid(String key, String value, String why) {
        String shown = value.length() > 200 ? value.substring(0, 200) + "..." : value;
        return new IllegalArgumentException("invalid " + key + "=\"" + shown + "\": " + why);
    }

    @Override
    public String toString() {
        return "ClusterSettings[enabled=" + enabled + ", busPort=" + busPort + ", peers=" + peers
                + ", replicationFactor=" + replicationFactor + ", write=" + writeConsistency.word() + ", read="
                + readConsistency.word() + ", secret=" + (secret.isPresent() ? "(set)" : "(unset)") + ", nodeId="
                + nodeId.map(NodeId::hex).orElse("(generated)") + ", announceHost=" + announceHost.orElse("(unset)")
                + "]";
    }
}
