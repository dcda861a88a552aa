package io.hyperkv.cluster;

/**
 * A topology document that breaks a rule of the format: a missing or mistyped field, a slot without owners, an unknown
 * owner, a replication factor above the member count, a duplicate id. The message says which rule and where, in words
 * fit to return as the body of an HTTP 400.
 */
public class InvalidTopologyException extends IllegalArgumentException {

    public InvalidTopologyException(String detail) {
        super("invalid topology: " + detail);
    }
}
