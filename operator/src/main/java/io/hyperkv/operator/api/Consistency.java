package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** How many replicas of a slot must acknowledge a write, and how many a read consults. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Consistency {

  @JsonPropertyDescription("Acknowledgements a write waits for: one, quorum or all replicas of its slot.")
  @Default("quorum")
  public WriteConsistency write = WriteConsistency.quorum;

  @JsonPropertyDescription("Replicas a read consults: one, or quorum (merged and repaired).")
  @Default("one")
  public ReadConsistency read = ReadConsistency.one;

  /** Enum constants are the wire values; lower case as in the data plane's configuration. */
  public enum WriteConsistency {
    one, quorum, all
  }

  /** Enum constants are the wire values. */
  public enum ReadConsistency {
    one, quorum
  }
}
