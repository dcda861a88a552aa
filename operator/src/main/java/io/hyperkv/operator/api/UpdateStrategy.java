package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/**
 * How pods pick up a new template. The StatefulSet is always {@code OnDelete}: the operator decides the order of
 * restarts (one pod at a time, only when every slot is in sync).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class UpdateStrategy {

  @JsonPropertyDescription("RollingUpdate: the operator restarts pods one at a time; Manual: pods change only when deleted by hand.")
  @Default("RollingUpdate")
  public Type type = Type.RollingUpdate;

  /** Enum constants are the wire values. */
  public enum Type {
    RollingUpdate, Manual
  }
}
