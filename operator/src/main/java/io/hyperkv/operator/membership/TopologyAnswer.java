package io.hyperkv.operator.membership;

import java.util.Locale;

/**
 * A node's answer to {@code PUT /v1/topology}: the epoch in force on it after the call and what the call did. A
 * {@link Outcome#CONFLICT} (HTTP 409 with {@code "outcome": "conflict"}) is an answer, not a failure: the node holds
 * a different document at the same epoch, and the author must send its document again with a higher epoch.
 */
public record TopologyAnswer(long epoch, Outcome outcome) {

  /** The data plane's outcomes, as written on the wire in lower case with dashes. */
  public enum Outcome {
    /** The document is now in force. */
    INSTALLED,
    /** The same document (epoch and content) was already in force. */
    ALREADY_IN_FORCE,
    /** The node holds a higher epoch and kept it; {@link TopologyAnswer#epoch()} says which. */
    STALE,
    /** The node holds the same epoch with other content and kept it (HTTP 409). */
    CONFLICT;

    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The outcome for a wire name, or null when this operator does not know it. */
    static Outcome fromWire(String wire) {
      for (Outcome o : values()) {
        if (o.wireName().equals(wire)) {
          return o;
        }
      }
      return null;
    }
  }

  /** Whether the document sent at {@code sent} is in force on the node after the call. */
  public boolean inForce(long sent) {
    return (outcome == Outcome.INSTALLED || outcome == Outcome.ALREADY_IN_FORCE) && epoch == sent;
  }
}
