package io.hyperkv.operator.membership;

/** A topology document that must not be installed: it would lose data or is malformed. */
public class UnsafeTopologyException extends RuntimeException {
  public UnsafeTopologyException(String message) {
    super(message);
  }
}
