package io.hyperkv.cluster;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One entry of the static peer list ({@code hyperkv.cluster.peers}): where a member's replication bus listens, as
 * {@code host:bus-port}; an IPv6 literal is bracketed ({@code [fd00::5]:16379}). Invariants: the host is 1 to 255
 * characters without whitespace, brackets or commas; the port is in 1..65535.
 */
public record PeerAddress(String host, int busPort) {

    public PeerAddress {
        if (host == null || host.isEmpty() || host.length() > 255
                || host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '[' || c == ']' || c == ',')) {
            throw new IllegalArgumentException("invalid host \"" + host + "\"");
        }
        if (busPort < 1 || busPort > 65535) {
            throw new IllegalArgumentException("port " + busPort + " is outside 1..65535");
        }
    }

    /**
     * Reads {@code host:port} or {@code [ipv6]:port}.
     *
     * @throws IllegalArgumentException saying what is wrong with the entry
     */
    public static PeerAddress parse(String text) {
        String t = text.strip();
        String host;
        String port;
        if (t.startsWith("[")) {
            int close = t.indexOf(']');
            if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("\"" + t + "\" is not [ipv6-address]:port");
            }
            host = t.substring(1, close);
            port = t.substring(close + 2);
        } else {
            int colon = t.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("\"" + t + "\" has no port (host:bus-port)");
            }
            host = t.substring(0, colon);
            port = t.substring(colon + 1);
            if (host.indexOf(':') >= 0) {
                throw new IllegalArgumentException("\"" + t + "\": an IPv6 address must be bracketed, [address]:port");
            }
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("\"" + t + "\" has no host (host:bus-port)");
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + t + "\" has no valid port: \"" + port + "\"");
        }
        try {
            return new PeerAddress(host, p);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + t + "\": " + e.getMessage());
        }
    }

    /**
     * Reads a comma-separated list; blanks around entries are ignored, an empty entry or a repeated address is an
     * error. A blank list is empty.
     */
    public static List<PeerAddress> parseList(String text) {
        List<PeerAddress> peers = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return peers;
        }
        Set<PeerAddress> seen = new HashSet<>();
        String[] entries = text.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].isBlank()) {
                throw new IllegalArgumentException("entry " + (i + 1) + " is empty");
            }
            PeerAddress peer = parse(entries[i]);
            if (!seen.add(peer)) {
                throw new IllegalArgumentException(peer + " is listed twice");
            }
            peers.add(peer);
        }
        return List.copyOf(peers);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + busPort;
    }
}
