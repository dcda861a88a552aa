package io.hyperkv.cluster.bus;

/**
 * A peer broke the bus protocol or failed authentication. The message says what was expected and is safe to send back
 * to the peer and to log: it never contains the secret.
 */
public final class BusProtocolException extends Exception {

    public BusProtocolException(String message) {
        super(message);
    }
}
