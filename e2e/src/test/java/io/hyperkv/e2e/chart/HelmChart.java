package io.hyperkv.e2e.chart;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.hyperkv.e2e.RepoLayout;

/**
 * The hyperkv-operator chart as Helm itself sees it: lint and render go through helm-java, which runs Helm's
 * own Go code as a native library, so what passes here is what {@code helm install} would accept.
 *
 * <p>Rendering pins the Kubernetes version the chart is checked against ({@link #KUBE_VERSION}) because Helm's
 * client-only default (1.20) is older than the chart's {@code kubeVersion} constraint.
 */
public final class HelmChart {

    /** The Kubernetes version rendering assumes; the chart requires >= 1.25. */
    public static final String KUBE_VERSION = "1.35.0";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Path directory;

    private HelmChart(Path directory) {
        this.directory = directory;
    }

    /** The chart as checked in. */
    public static HelmChart checkedIn() {
        return new HelmChart(RepoLayout.chart());
    }

    /** A chart in another directory, e.g. a copy a test altered. */
    public static HelmChart at(Path directory) {
        return new HelmChart(directory);
    }

    public Path directory() {
        return directory;
    }

    /**
     * The CRDs in the chart's crds/ directory, parsed. Helm installs these files verbatim before any template
     * (and leaves them out of {@code helm template} output unless asked), so they are read, not rendered.
     */
    public List<CustomResourceDefinition> crds() {
        KubernetesSerialization serialization = new KubernetesSerialization();
        try (Stream<Path> files = Files.list(directory.resolve("crds"))) {
            List<CustomResourceDefinition> crds = new ArrayList<>();
            for (Path file : files.sorted().toList()) {
                try (var in = Files.newInputStream(file)) {
                    crds.add(serialization.unmarshal(in, CustomResourceDefinition.class));
                }
            }
            return crds;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm lint --strict} of the chart with its own values. */
    public LintResult lint() {
        return new Helm(directory).lint().strict().call();
    }

    /**
     * {@code helm lint --strict} with the given values layered over the chart's own. helm-java's lint takes no
     * values file, so this lints a copy of the chart whose values.yaml is the deep merge of both, which is what
     * Helm itself would compute from {@code -f valuesFile}.
     */
    public LintResult lint(Path valuesFile, Path scratch) {
        Path copy = scratch.resolve(directory.getFileName());
        copyTree(directory, copy);
        try {
            Map<String, Object> merged = deepMerge(readYamlMap(directory.resolve("values.yaml")), readYamlMap(valuesFile));
            YAML.writeValue(copy.resolve("values.yaml").toFile(), merged);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return at(copy).lint();
    }

    /** Renders the chart's templates (hooks and crds/ excluded, as {@code helm template} prints them by default). */
    public RenderedChart render(String releaseName, String namespace, Path... valuesFiles) {
        TemplateCommand template = new Helm(directory).template()
                .withName(releaseName)
                .withNamespace(namespace)
                .withKubeVersion(KUBE_VERSION);
        for (Path valuesFile : valuesFiles) {
            template = template.withValuesFile(valuesFile);
        }
        return RenderedChart.parse(template.call());
    }

    /**
     * Renders the {@code helm test} hooks as well. Helm keeps hooks out of the rendered manifest, so this
     * renders a copy of the chart whose test templates lost only their {@code helm.sh/hook*} annotation lines;
     * the objects are otherwise exactly what {@code helm test} creates.
     */
    public RenderedChart renderWithTestHooks(String releaseName, String namespace, Path scratch, Path... valuesFiles) {
        Path copy = scratch.resolve(directory.getFileName());
        copyTree(directory, copy);
        Path tests = copy.resolve("templates").resolve("tests");
        try (Stream<Path> files = Files.list(tests)) {
            for (Path file : files.toList()) {
                List<String> kept = Files.readAllLines(file).stream()
                        .filter(line -> !line.trim().startsWith("helm.sh/hook"))
                        .toList();
                Files.write(file, kept);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return at(copy).render(releaseName, namespace, valuesFiles);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readYamlMap(Path file) throws IOException {
        Map<String, Object> map = YAML.readValue(file.toFile(), Map.class);
        return map == null ? new LinkedHashMap<>() : map;
    }

    /** Helm's coalescing: maps merge key by key, anything else from the override replaces the base. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepMerge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> result = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            if (value instanceof Map<?, ?> overrideMap && result.get(key) instanceof Map<?, ?> baseMap) {
                result.put(key, deepMerge((Map<String, Object>) baseMap, (Map<String, Object>) overrideMap));
            } else {
                result.put(key, value);
            }
        });
        return result;
    }

    private static void copyTree(Path from, Path to) {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
