package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Progress of a snapshot and the checkpoint each pod made. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HyperKVSnapshotStatus {

  public Phase phase;
  public String startedAt;
  public String completedAt;
  public List<Checkpoint> checkpoints = new ArrayList<>();
  public List<Condition> conditions = new ArrayList<>();

  /** One pod's checkpoint under its data volume. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Checkpoint {
    public String pod;
    public String nodeId;
    public String id;
    public Long sizeBytes;
  }

  /** Snapshot lifecycle. */
  public enum Phase {
    Pending, InProgress, Completed, Failed
  }
}
