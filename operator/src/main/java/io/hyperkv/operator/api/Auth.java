package io.hyperkv.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;

/** Client authentication. Without a password Secret, the operator generates one once and never changes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Auth {

  @JsonPropertyDescription("An existing Secret holding the client password (the AUTH/requirepass password).")
  public SecretKey passwordSecret;

  /** A key of a Secret in the cluster's namespace. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretKey {
    @Required
    public String name;

    @Default("password")
    public String key = "password";
  }
}
