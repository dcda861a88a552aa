package io.hyperkv.operator.it;

import com.marcnuri.helm.Helm;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.hyperkv.operator.api.RepoRoot;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver and etcd (fabric8 kube-api-test, RBAC authorization on) for the operator under test.
 *
 * <p>The binaries are not downloaded: {@code e2e/tools/build-kube-binaries.sh} builds kube-apiserver from pinned
 * upstream Go modules into a cache outside the repository ({@code hyperkv.kube-api-test.dir}), which this resource
 * links into a fresh directory per run (kube-api-test writes its certificates there).
 *
 * <p>Before the operator starts, the checked-in CRDs (crds/) are installed and the chart's RBAC
 * (charts/hyperkv-operator, rendered by Helm through helm-java) is applied; the operator then runs with a token of
 * the chart's service account, so it has exactly the permissions the chart grants.
 */
public class KubeApiServerResource implements QuarkusTestResourceLifecycleManager {

  public static final String OPERATOR_NAMESPACE = "hyperkv-system";
  public static final String RELEASE = "hyperkv-operator";
  public static final String SERVICE_ACCOUNT = "hyperkv-operator";
  static final Set<String> RBAC_KINDS = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");

  private static KubernetesClient admin;
  private static String operatorToken;
  private static String masterUrl;
  private KubeAPIServer server;
  private Path dir;

  /** A client with cluster-admin rights, for the tests to act as users, the StatefulSet controller and kubelets. */
  public static KubernetesClient admin() {
    return admin;
  }

  /** A client authenticated as the operator's service account. */
  public static KubernetesClient asOperator() {
    return new KubernetesClientBuilder().withConfig(new ConfigBuilder(Config.empty())
        .withMasterUrl(masterUrl).withOauthToken(operatorToken).withTrustCerts(true).build()).build();
  }

  @Override
  public Map<String, String> start() {
    Path cache = Path.of(System.getProperty("hyperkv.kube-api-test.dir",
        System.getProperty("user.home") + "/.cache/hyperkv/kube-api-test"));
    if (!Files.isDirectory(cache.resolve("k8s"))) {
      throw new IllegalStateException("no kube-api-test binaries in " + cache + ": run e2e/tools/build-kube-binaries.sh");
    }
    try {
      dir = Files.createTempDirectory("hyperkv-kube-api-test");
      Files.createSymbolicLink(dir.resolve("k8s"), cache.resolve("k8s"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
        .withTestDir(dir.toString())
        .withOfflineMode(true)
        .withUpdateKubeConfig(false)
        .withWaitForEtcdHealthCheckOnStartup(true)
        .withStartupTimeout(180_000)
        .build());
    // Also stop etcd and kube-apiserver if the test JVM exits without running stop().
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopServer));
    server.start();
    Config config = Config.fromKubeconfig(server.getKubeConfigYaml());
    masterUrl = config.getMasterUrl();
    admin = new KubernetesClientBuilder().withConfig(config).build();

    installCrds();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(OPERATOR_NAMESPACE).endMetadata().build())
        .create();
    applyChartRbac();
    operatorToken = admin.serviceAccounts().inNamespace(OPERATOR_NAMESPACE).withName(SERVICE_ACCOUNT)
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3 * 3600L).endSpec().build())
        .getStatus().getToken();

    return Map.of(
        "quarkus.kubernetes-client.api-server-url", masterUrl,
        "quarkus.kubernetes-client.token", operatorToken,
        "quarkus.kubernetes-client.trust-certs", "true",
        "quarkus.kubernetes-client.namespace", OPERATOR_NAMESPACE,
        "hyperkv.operator.lease-namespace", OPERATOR_NAMESPACE);
  }

  private void installCrds() {
    try (Stream<Path> files = Files.list(RepoRoot.path().resolve("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).toList()) {
        var crd = admin.apiextensions().v1().customResourceDefinitions().load(file.toFile()).item();
        admin.resource(crd).create();
        admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName())
            .waitUntilCondition(KubeApiServerResource::established, 60, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The chart's ServiceAccount and RBAC objects as `helm template` renders them with the chart's defaults. */
  private void applyChartRbac() {
    String manifest = new Helm(RepoRoot.path().resolve("charts").resolve(RELEASE)).template()
        .withName(RELEASE)
        .withNamespace(OPERATOR_NAMESPACE)
        .withKubeVersion("1.35.4")
        .call();
    List<HasMetadata> objects = admin.load(new ByteArrayInputStream(manifest.getBytes(StandardCharsets.UTF_8))).items();
    var rbac = objects.stream().filter(o -> RBAC_KINDS.contains(o.getKind())).toList();
    if (rbac.stream().noneMatch(o -> o.getKind().equals("ClusterRole"))) {
      throw new IllegalStateException("the chart rendered no ClusterRole: " + objects);
    }
    for (HasMetadata object : rbac) {
      if (object.getMetadata().getNamespace() == null && !object.getKind().startsWith("Cluster")) {
        object.getMetadata().setNamespace(OPERATOR_NAMESPACE);
      }
      admin.resource(object).create();
    }
  }

  private synchronized void stopServer() {
    if (server != null) {
      server.stop();
      server = null;
    }
  }

  @Override
  public void stop() {
    if (admin != null) {
      admin.close();
    }
    stopServer();
    if (dir != null) {
      try (Stream<Path> paths = Files.walk(dir)) {
        // The k8s link is removed, never followed: the cache stays.
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
