package io.hyperkv.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Leader election: with several operator replicas only the holder of the Lease reconciles. The Lease lives in the
 * operator's own namespace (the Helm chart grants Lease access there only). The Quarkus Operator SDK activates it
 * in the profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles}. A replica that loses the
 * Lease exits (and is restarted by its Deployment) so two replicas never reconcile at once; tests, which stop the
 * operator inside the test JVM, turn that off.
 */
public class LeaderElection {

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection(
      @ConfigProperty(name = "hyperkv.operator.lease-name", defaultValue = "hyperkv-operator-lock") String leaseName,
      @ConfigProperty(name = "hyperkv.operator.lease-namespace") Optional<String> leaseNamespace,
      @ConfigProperty(name = "hyperkv.operator.exit-on-lost-leadership", defaultValue = "true") boolean exitOnLost) {
    // JOSDK's defaults for the timings (15s lease, 10s renew deadline, 2s retry).
    return new LeaderElectionConfiguration(leaseName, leaseNamespace.orElse(null), Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(2), null, null, exitOnLost);
  }
}
