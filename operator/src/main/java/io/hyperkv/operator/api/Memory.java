package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** Memory bound and eviction, as Redis's maxmemory and maxmemory-policy. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Memory {

  @JsonPropertyDescription("Upper bound of the dataset in memory, a quantity such as 2Gi; unbounded when absent.")
  @Pattern(Quantities.QUANTITY)
  public String maxmemory;

  @JsonPropertyDescription("What to do at maxmemory, as Redis's maxmemory-policy.")
  @Default("noeviction")
  public EvictionPolicy evictionPolicy = EvictionPolicy.NOEVICTION;

  public EvictionPolicy evictionPolicyOrDefault() {
    return evictionPolicy == null ? EvictionPolicy.NOEVICTION : evictionPolicy;
  }

  /** Redis's eviction policies, with Redis's spelling on the wire. */
  public enum EvictionPolicy {
    @JsonProperty("noeviction") NOEVICTION("noeviction"),
    @JsonProperty("allkeys-lru") ALLKEYS_LRU("allkeys-lru"),
    @JsonProperty("allkeys-lfu") ALLKEYS_LFU("allkeys-lfu"),
    @JsonProperty("allkeys-random") ALLKEYS_RANDOM("allkeys-random"),
    @JsonProperty("volatile-lru") VOLATILE_LRU("volatile-lru"),
    @JsonProperty("volatile-lfu") VOLATILE_LFU("volatile-lfu"),
    @JsonProperty("volatile-random") VOLATILE_RANDOM("volatile-random"),
    @JsonProperty("volatile-ttl") VOLATILE_TTL("volatile-ttl");

    private final String wire;

    EvictionPolicy(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }
}
