package io.hyperkv.cluster.bus;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.PeerAddress;

/**
 * What one side of a bus handshake says about itself, authenticated by the handshake's HMAC: its node id, the address
 * it announces for its bus, the port clients reach it on, and the epoch of the topology it has in force (0: none).
 */
public record PeerHello(NodeId id, PeerAddress announce, int clientPort, long epoch) {

    public PeerHello {
        if (clientPort < 0 || clientPort > 65535) {
            throw new IllegalArgumentException("client port " + clientPort + " is outside 0..65535");
        }
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch " + epoch + " is negative");
        }
    }
}
