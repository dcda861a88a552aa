package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

/** TLS for client and replication-bus connections, from a Secret of type kubernetes.io/tls. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!self.enabled || has(self.secretName)", message = "tls.secretName is required when tls.enabled is true")
public class Tls {

  @Default("false")
  public Boolean enabled = false;

  @JsonPropertyDescription("Secret with tls.crt, tls.key and optionally ca.crt.")
  public String secretName;

  public boolean isEnabled() {
    return Boolean.TRUE.equals(enabled);
  }
}
