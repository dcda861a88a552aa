package io.hyperkv.e2e.kind;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * Connection to the cluster under test for each kind test class: a fabric8 client on the current kube context
 * and the HyperKVCluster handle. Every class starts from, and leaves behind, the cluster Ready at its
 * original replica count.
 */
abstract class KindSuiteBase {

    static KubernetesClient client;
    static SuiteSettings settings;
    static ClusterUnderTest cluster;
    static int baselineReplicas;

    @BeforeAll
    static void connect() {
        settings = SuiteSettings.fromSystemProperties();
        client = new KubernetesClientBuilder().build();
        cluster = new ClusterUnderTest(client, settings);
        baselineReplicas = cluster.specReplicas();
        cluster.awaitReady(baselineReplicas, cluster.specImage());
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            client.close();
        }
    }
}
