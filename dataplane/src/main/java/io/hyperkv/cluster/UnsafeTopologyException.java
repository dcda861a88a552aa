package io.hyperkv.cluster;

/**
 * A well-formed topology that must not replace the one in force because it would take some slot away from every
 * owner that holds all of its data (see {@link Transition#requireSafe}).
 */
public class UnsafeTopologyException extends RuntimeException {

    public UnsafeTopologyException(String message) {
        super(message);
    }
}
