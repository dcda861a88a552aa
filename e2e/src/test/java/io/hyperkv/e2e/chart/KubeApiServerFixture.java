package io.hyperkv.e2e.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.hyperkv.e2e.RepoLayout;

/**
 * A real kube-apiserver with etcd, started by fabric8 kube-api-test from the binaries that
 * {@code e2e/tools/build-kube-binaries.sh} provides (built from pinned upstream Go modules, never downloaded),
 * the same way the operator's integration tests get theirs.
 *
 * <p>Invariant: offline mode, so kube-api-test never tries to download; {@link #close()} stops both processes.
 */
final class KubeApiServerFixture implements AutoCloseable {

    private final KubeAPIServer server;
    private final KubernetesClient client;

    private KubeApiServerFixture(KubeAPIServer server, KubernetesClient client) {
        this.server = server;
        this.client = client;
    }

    static KubeApiServerFixture start() {
        KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(binariesDirectory().toString())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .build());
        server.start();
        KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
                .build();
        return new KubeApiServerFixture(server, client);
    }

    KubernetesClient client() {
        return client;
    }

    /** An admin kubeconfig for the server, for tools that take one (Helm). */
    String kubeConfigYaml() {
        return server.getKubeConfigYaml();
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.stop();
        }
    }

    /**
     * kube-api-test's directory: {@code -Dhyperkv.kubeApiTestDir} if given, else what the build script prints as
     * its last line (it builds once and then answers from its cache).
     */
    private static Path binariesDirectory() {
        String configured = System.getProperty("hyperkv.kubeApiTestDir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path script = RepoLayout.root().resolve("e2e/tools/build-kube-binaries.sh");
        try {
            Path output = Files.createTempFile("build-kube-binaries", ".out");
            try {
                Process process = new ProcessBuilder("bash", script.toString())
                        .redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start();
                // Bounded: a cold build of kube-apiserver on two cores takes minutes; a warm cache answers at once.
                if (!process.waitFor(40, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new IllegalStateException(script + " did not finish in 40 minutes");
                }
                List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
                if (process.exitValue() != 0 || lines.isEmpty()) {
                    throw new IllegalStateException(script + " failed (exit " + process.exitValue() + ")");
                }
                return Path.of(lines.get(lines.size() - 1).trim());
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
