package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** Which cluster to checkpoint. A snapshot is a record of one event: its spec never changes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self == oldSelf", message = "a HyperKVSnapshot spec is immutable")
public class HyperKVSnapshotSpec {

  @JsonPropertyDescription("Name of the HyperKVCluster, in the snapshot's namespace.")
  @Required
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  public String clusterName;
}
