package io.hyperkv.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.FieldValidateable.Validation;

/**
 * A real kube-apiserver with etcd, started by fabric8 kube-api-test from the binaries that
 * {@code e2e/tools/build-kube-binaries.sh} provides (built from pinned upstream Go modules, never downloaded),
 * the same way the operator's integration tests get theirs.
 *
 * <p>One server per test JVM ({@link #shared()}): starting etcd and kube-apiserver takes seconds, and the test
 * classes that use it work in their own namespaces. Invariant: offline mode, so kube-api-test never tries to
 * download; a JVM shutdown hook stops both processes.
 */
public final class KubeApiServerFixture {

    private static KubeApiServerFixture shared;

    private final KubeAPIServer server;
    private final KubernetesClient client;

    private KubeApiServerFixture(KubeAPIServer server, KubernetesClient client) {
        this.server = server;
        this.client = client;
    }

    /** The JVM's API server, started on first use. */
    public static synchronized KubeApiServerFixture shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "kube-api-test-stop"));
        }
        return shared;
    }

    private static KubeApiServerFixture start() {
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

    public KubernetesClient client() {
        return client;
    }

    /** Installs CRDs for real (as Helm installs a chart's crds/) and waits until each is Established. */
    public void installCrds(List<CustomResourceDefinition> crds) {
        for (CustomResourceDefinition crd : crds) {
            client.resource(crd).fieldValidation(Validation.STRICT).serverSideApply();
            client.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
                    .waitUntilCondition(KubeApiServerFixture::established, 1, TimeUnit.MINUTES);
        }
    }

    private static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** An admin kubeconfig for the server, for tools that take one (Helm). */
    public String kubeConfigYaml() {
        return server.getKubeConfigYaml();
    }

    private void stop() {
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
