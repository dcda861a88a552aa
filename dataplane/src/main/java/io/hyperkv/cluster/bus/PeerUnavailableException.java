package io.hyperkv.cluster.bus;

/** A queued batch was dropped without an ack because its peer went DOWN or left the topology; the caller hints it. */
public final class PeerUnavailableException extends RuntimeException {

    public PeerUnavailableException(String message) {
        super(message);
    }
}
