package io.hyperkv.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election: with several operator replicas only the holder of the Lease reconciles. The Lease lives in the
 * operator's own namespace (the Helm chart grants Lease access there only). The Quarkus Operator SDK activates it
 * in the profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles}.
 */
public class LeaderElection {

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(
      @ConfigProperty(name = "hyperkv.operator.lease-name", defaultValue = "hyperkv-operator-lock") String leaseName,
      @ConfigProperty(name = "hyperkv.operator.lease-namespace") Optional<String> leaseNamespace) {
    return new LeaderElectionConfiguration(leaseName, leaseNamespace.orElse(null));
  }
}
