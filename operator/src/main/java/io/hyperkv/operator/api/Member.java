package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** One data-plane pod as the operator last saw it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Member {

  public String pod;
  /** The node id the pod reported on its admin API; absent until it answered. */
  public String nodeId;
  public State state;

  public Member() {
  }

  public Member(String pod, String nodeId, State state) {
    this.pod = pod;
    this.nodeId = nodeId;
    this.state = state;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Member m && Objects.equals(pod, m.pod) && Objects.equals(nodeId, m.nodeId) && state == m.state;
  }

  @Override
  public int hashCode() {
    return Objects.hash(pod, nodeId, state);
  }

  @Override
  public String toString() {
    return pod + "(" + nodeId + "," + state + ")";
  }

  /** Member lifecycle as seen from Kubernetes and the admin API. */
  public enum State {
    /** Pod exists, not ready. */
    Starting,
    /** Pod ready, admin API not reached (yet). */
    Unreachable,
    /** Pod ready and answering, topology not yet installed. */
    Joining,
    /** Holds the current topology. */
    Member
  }
}
