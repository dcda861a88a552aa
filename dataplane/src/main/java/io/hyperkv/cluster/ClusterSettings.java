package io.hyperkv.cluster;

import java.time.Duration;
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
 * N is at most the number of static peers when there are any; the {@link Timings} hold their own invariants.
 */
public record ClusterSettings(boolean enabled, int busPort, List<PeerAddress> peers, int replicationFactor,
        Consistency writeConsistency, Consistency readConsistency, Optional<String> secret, Optional<NodeId> nodeId,
        Optional<String> announceHost, Timings timings) {

    /** Bus port offset from the RESP port, as Redis Cluster's bus. */
    public static final int BUS_PORT_OFFSET = 10000;

    /** Shortest accepted cluster secret: it keys the bus's HMAC challenge, so it must not be guessable. */
    public static final int MIN_SECRET_LENGTH = 16;

    /**
     * How long the cluster waits for things, each in whole milliseconds once validated:
     *
     * @param replicaWait how long a reply waits for other replicas (a write's W acknowledgements, a quorum read's R-1
     *     answers) before {@code -NOQUORUM} ({@code hyperkv.cluster.replica-wait})
     * @param heartbeatInterval how often the bus pings each peer ({@code hyperkv.cluster.heartbeat-interval})
     * @param suspectAfter silence after which a peer is SUSPECT ({@code hyperkv.cluster.suspect-after})
     * @param downAfter silence after which a peer is DOWN: writes stop waiting for it and its deltas become hints
     *     ({@code hyperkv.cluster.down-after})
     */
    public record Timings(Duration replicaWait, Duration heartbeatInterval, Duration suspectAfter,
            Duration downAfter) {

        /** The defaults of the table in {@code application.properties}. */
        public static final Timings DEFAULTS = new Timings(Duration.ofSeconds(1), Duration.ofMillis(500),
                Duration.ofSeconds(2), Duration.ofSeconds(10));

        /**
         * Longest accepted replica wait: a reply held longer holds every later reply of its connection, and clients
         * time out long before (Jedis and redis-py after 2 s by default).
         */
        public static final Duration MAX_REPLICA_WAIT = Duration.ofMinutes(1);

        /** Shortest accepted heartbeat: below it the pings alone would keep the bus thread busy. */
        public static final Duration MIN_HEARTBEAT = Duration.ofMillis(10);

        /** Longest accepted DOWN delay: beyond it a dead peer would hold writes' hints back for too long to matter. */
        public static final Duration MAX_DOWN_AFTER = Duration.ofHours(1);

        /**
         * Validates the timings as given.
         *
         * @throws IllegalArgumentException naming the first key whose value is refused and why
         */
        public static Timings of(Timings raw) {
            Duration wait = positive("hyperkv.cluster.replica-wait", raw.replicaWait());
            if (wait.compareTo(MAX_REPLICA_WAIT) > 0) {
                throw invalid("hyperkv.cluster.replica-wait", text(wait), "must be at most " + text(MAX_REPLICA_WAIT)
                        + ": a held reply holds every later reply of its connection");
            }
            Duration heartbeat = positive("hyperkv.cluster.heartbeat-interval", raw.heartbeatInterval());
            if (heartbeat.compareTo(MIN_HEARTBEAT) < 0) {
                throw invalid("hyperkv.cluster.heartbeat-interval", text(heartbeat), "must be at least "
                        + text(MIN_HEARTBEAT));
            }
            Duration suspect = positive("hyperkv.cluster.suspect-after", raw.suspectAfter());
            if (suspect.compareTo(heartbeat) <= 0) {
                throw invalid("hyperkv.cluster.suspect-after", text(suspect), "must be longer than"
                        + " hyperkv.cluster.heartbeat-interval (" + text(heartbeat) + "): a peer is suspected only"
                        + " after it missed a heartbeat");
            }
            Duration down = positive("hyperkv.cluster.down-after", raw.downAfter());
            if (down.compareTo(suspect) <= 0) {
                throw invalid("hyperkv.cluster.down-after", text(down), "must be longer than"
                        + " hyperkv.cluster.suspect-after (" + text(suspect) + ")");
            }
            if (down.compareTo(MAX_DOWN_AFTER) > 0) {
                throw invalid("hyperkv.cluster.down-after", text(down), "must be at most " + text(MAX_DOWN_AFTER));
            }
            return new Timings(wait, heartbeat, suspect, down);
        }

        /** A duration of at least 1 ms, truncated to whole milliseconds (what the timers use). */
        private static Duration positive(String key, Duration d) {
            if (d == null || d.isNegative() || d.toMillis() < 1) {
                throw invalid(key, d == null ? "" : text(d), "must be a positive duration of at least 1 ms (e.g."
                        + " 500ms, 2s)");
            }
            if (d.compareTo(Duration.ofDays(1)) > 0) {
                throw invalid(key, d.toString(), "must be at most 1 day");
            }
            return Duration.ofMillis(d.toMillis());
        }

        /** A duration as the table writes it (500ms, 2s, 1m, 1h); ISO-8601 when it has a fraction of a millisecond. */
        private static String text(Duration d) {
            if (d.isNegative() || d.getNano() % 1_000_000 != 0) {
                return d.toString();
            }
            long ms = d.toMillis();
            if (ms == 0 || ms % 1000 != 0) {
                return ms + "ms";
            }
            return ms % 3_600_000 == 0 ? ms / 3_600_000 + "h" : ms % 60_000 == 0 ? ms / 60_000 + "m" : ms / 1000 + "s";
        }
    }

    /** The configuration as given: what is unset is empty. */
    public record Raw(boolean enabled, int respPort, OptionalInt busPort, Optional<String> peers,
            int replicationFactor, String writeConsistency, String readConsistency, Optional<String> secret,
            Optional<String> nodeId, Optional<String> announceHost, Timings timings) {

        /** With the default {@link Timings}. */
        public Raw(boolean enabled, int respPort, OptionalInt busPort, Optional<String> peers, int replicationFactor,
                String writeConsistency, String readConsistency, Optional<String> secret, Optional<String> nodeId,
                Optional<String> announceHost) {
            this(enabled, respPort, busPort, peers, replicationFactor, writeConsistency, readConsistency, secret, nodeId,
                    announceHost, Timings.DEFAULTS);
        }

        /** The same settings with other timings. */
        public Raw withTimings(Timings t) {
            return new Raw(enabled, respPort, busPort, peers, replicationFactor, writeConsistency, readConsistency,
                    secret, nodeId, announceHost, t);
        }

        @Override
        public String toString() {
            return "Raw[enabled=" + enabled + ", respPort=" + respPort + ", busPort=" + busPort + ", peers=" + peers
                    + ", replicationFactor=" + replicationFactor + ", write=" + writeConsistency + ", read="
                    + readConsistency + ", secret=" + (secret.isPresent() ? "(set)" : "(unset)") + ", nodeId="
                    + nodeId + ", announceHost=" + announceHost + ", timings=" + timings + "]";
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
        Timings timings = Timings.of(raw.timings());
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
                nodeId, announceHost, timings);
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
                + ", " + timings + "]";
    }
}
