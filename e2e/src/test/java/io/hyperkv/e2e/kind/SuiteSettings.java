package io.hyperkv.e2e.kind;

import java.time.Duration;

/**
 * What the kind suite runs against, from system properties that e2e/run.sh passes through Maven.
 *
 * @param namespace     namespace of the HyperKVCluster under test (and of the client Jobs)
 * @param cluster       name of the HyperKVCluster
 * @param clientImage   image with redis-cli and redis-benchmark for the in-cluster client Jobs
 * @param upgradeImage  data-plane image the rolling-upgrade test switches to (a tag the cluster is not running)
 * @param settle        bound on any wait for the cluster to become Ready again after a disruption
 */
record SuiteSettings(String namespace, String cluster, String clientImage, String upgradeImage, Duration settle) {

    static SuiteSettings fromSystemProperties() {
        return new SuiteSettings(
                property("hyperkv.e2e.namespace", "hyperkv-e2e"),
                property("hyperkv.e2e.cluster", "demo"),
                property("hyperkv.e2e.clientImage", "redis:7.4-alpine"),
                property("hyperkv.e2e.upgradeImage", ""),
                Duration.ofSeconds(Long.parseLong(property("hyperkv.e2e.settleSeconds", "600"))));
    }

    private static String property(String name, String fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
