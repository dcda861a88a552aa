package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;

/** Durability of acknowledged writes (Redis's appendfsync). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Persistence {

  @JsonPropertyDescription("always (fsync before reply), everysec (at most ~1s lost, default) or no.")
  @Default("everysec")
  public Fsync fsync = Fsync.everysec;

  public Fsync fsyncOrDefault() {
    return fsync == null ? Fsync.everysec : fsync;
  }

  /** Enum constants are the wire values, as Redis spells them. */
  public enum Fsync {
    always, everysec, no
  }
}
