package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * Desired state of a {@link HyperKVCluster}. Defaults live in the schema (so {@code kubectl get -o yaml} shows
 * them); the builders still treat a missing value as its default, because objects built in code (tests, older
 * clients) skip API-server defaulting.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.replicationFactor <= self.replicas",
    message = "replicationFactor cannot exceed replicas: every slot needs that many distinct pods")
public class HyperKVClusterSpec {

  public static final int DEFAULT_REPLICAS = 3;
  public static final int DEFAULT_REPLICATION_FACTOR = 3;

  @JsonPropertyDescription("Number of data-plane pods.")
  @Min(1)
  @Max(256)
  @Default("3")
  public Integer replicas = DEFAULT_REPLICAS;

  @JsonPropertyDescription("Container image of the data plane; defaults to the operator's image for `version`.")
  public String image;

  @JsonPropertyDescription("Data-plane version; selects the default image and is reported in status.")
  @Pattern("^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$")
  public String version;

  @JsonPropertyDescription("Copies of every slot, on distinct pods. Fixed at creation.")
  @Min(1)
  @Max(7)
  @Default("3")
  @ValidationRule(value = "self == oldSelf", message = "replicationFactor is immutable")
  public Integer replicationFactor = DEFAULT_REPLICATION_FACTOR;

  public Consistency consistency;

  public Storage storage;

  @JsonPropertyDescription("CPU and memory of each data-plane container.")
  public ResourceRequirements resources;

  public Scheduling scheduling;

  public Auth auth;

  public Tls tls;

  public Persistence persistence;

  public Memory memory;

  public Snapshots snapshots;

  public UpdateStrategy updateStrategy;

  @JsonPropertyDescription("When true the operator leaves every object of this cluster as it is.")
  @Default("false")
  public Boolean paused = false;

  public int replicasOrDefault() {
    return replicas == null ? DEFAULT_REPLICAS : replicas;
  }

  public int replicationFactorOrDefault() {
    return replicationFactor == null ? DEFAULT_REPLICATION_FACTOR : replicationFactor;
  }

  public boolean isPaused() {
    return Boolean.TRUE.equals(paused);
  }

  public Consistency consistencyOrDefault() {
    return consistency == null ? new Consistency() : consistency;
  }

  public Storage storageOrDefault() {
    return storage == null ? new Storage() : storage;
  }

  public Scheduling schedulingOrDefault() {
    return scheduling == null ? new Scheduling() : scheduling;
  }

  public Persistence persistenceOrDefault() {
    return persistence == null ? new Persistence() : persistence;
  }

  public Memory memoryOrDefault() {
    return memory == null ? new Memory() : memory;
  }

  public Tls tlsOrDefault() {
    return tls == null ? new Tls() : tls;
  }
}
