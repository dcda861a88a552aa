package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** The storage engine of every pod and the persistent volume each one gets. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Storage {

  public static final String DEFAULT_SIZE = "10Gi";

  @JsonPropertyDescription("rocksdb (on disk, default) or memory. Fixed at creation: data is not converted.")
  @Default("rocksdb")
  @ValidationRule(value = "self == oldSelf", message = "storage.engine is immutable")
  public Engine engine = Engine.rocksdb;

  @JsonPropertyDescription("Size of each pod's data volume, a Kubernetes quantity such as 10Gi.")
  @Default(DEFAULT_SIZE)
  @Pattern(Quantities.QUANTITY)
  public String size = DEFAULT_SIZE;

  @JsonPropertyDescription("StorageClass of the data volumes; the cluster default when absent. Fixed at creation.")
  @ValidationRule(value = "self == oldSelf", message = "storage.storageClassName is immutable")
  public String storageClassName;

  public Engine engineOrDefault() {
    return engine == null ? Engine.rocksdb : engine;
  }

  public String sizeOrDefault() {
    return size == null ? DEFAULT_SIZE : size;
  }

  /** Enum constants are the wire values. */
  public enum Engine {
    rocksdb, memory
  }
}
