package io.hyperkv.operator.cluster;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.hyperkv.operator.api.HyperKVCluster;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.Matcher;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The cluster's generated credentials: the admin-API bearer token, the replication-bus secret and, unless the
 * spec names an existing password Secret, the client password.
 *
 * <p>Invariant: a value, once generated, is never regenerated. The desired Secret carries the existing values and
 * only adds missing keys, and an existing Secret that has every key is taken as matching, so the operator never
 * writes it again (a user may rotate a value by editing the Secret; pods pick it up on restart).
 */
@KubernetesDependent(informer = @Informer(labelSelector = ClusterNames.MANAGED_SELECTOR))
public class CredentialsSecretDependent extends ClusterOwnedDependent<Secret> {

  public static final String PASSWORD = "password";
  public static final String ADMIN_TOKEN = "admin-token";
  public static final String CLUSTER_SECRET = "cluster-secret";

  private static final SecureRandom RANDOM = new SecureRandom();

  public CredentialsSecretDependent() {
    super(Secret.class);
  }

  @Override
  protected Secret desired(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    return build(cluster, getSecondaryResource(cluster, context), RANDOM);
  }

  /**
   * The Secret's identity is known without computing the desired state; JOSDK's default derives it from
   * {@link #desired}, which itself looks up the existing Secret, and would recurse.
   */
  @Override
  protected ResourceID targetSecondaryResourceID(HyperKVCluster cluster, Context<HyperKVCluster> context) {
    ClusterNames names = ClusterNames.of(cluster);
    return new ResourceID(names.credentialsSecret(), names.namespace());
  }

  @Override
  public Matcher.Result<Secret> match(Secret actual, HyperKVCluster cluster, Context<HyperKVCluster> context) {
    if (requiredKeys(cluster).stream().allMatch(k -> actual.getData() != null && actual.getData().containsKey(k))) {
      return Matcher.Result.nonComputed(true);
    }
    return Matcher.Result.computed(false, desired(cluster, context));
  }

  static List<String> requiredKeys(HyperKVCluster cluster) {
    return generatesPassword(cluster) ? List.of(PASSWORD, ADMIN_TOKEN, CLUSTER_SECRET) : List.of(ADMIN_TOKEN, CLUSTER_SECRET);
  }

  static boolean generatesPassword(HyperKVCluster cluster) {
    return cluster.getSpec().auth == null || cluster.getSpec().auth.passwordSecret == null;
  }

  static Secret build(HyperKVCluster cluster, Optional<Secret> existing, SecureRandom random) {
    ClusterNames names = ClusterNames.of(cluster);
    Map<String, String> data = new LinkedHashMap<>();
    existing.map(Secret::getData).ifPresent(data::putAll);
    for (String key : requiredKeys(cluster)) {
      data.computeIfAbsent(key, k -> base64(token(random)));
    }
    return new SecretBuilder()
        .withNewMetadata()
        .withName(names.credentialsSecret())
        .withNamespace(names.namespace())
        .withLabels(names.labels())
        .endMetadata()
        .withType("Opaque")
        .withData(data)
        .build();
  }

  /** 32 random bytes as URL-safe base64: printable, so it can go in a header or a redis-cli argument. */
  static String token(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  /** The decoded value of a key, if present. */
  public static Optional<String> value(Secret secret, String key) {
    return Optional.ofNullable(secret.getData())
        .map(d -> d.get(key))
        .map(v -> new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8));
  }
}
