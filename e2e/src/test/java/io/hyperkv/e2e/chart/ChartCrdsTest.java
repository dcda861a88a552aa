package io.hyperkv.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.hyperkv.e2e.RepoLayout;

/**
 * The chart ships the CRDs generated from the operator's Java classes byte for byte: a field added to the
 * operator and regenerated into crds/ must reach the chart too, or clusters installed from the chart would
 * silently prune it. To update: {@code cp crds/*.yaml charts/hyperkv-operator/crds/}.
 */
class ChartCrdsTest {

    @Test
    void chartCrdsAreByteIdenticalToTheGeneratedOnes() throws IOException {
        Path generated = RepoLayout.generatedCrds();
        Path shipped = RepoLayout.chart().resolve("crds");

        Set<String> generatedNames = yamlFiles(generated);
        assertThat(yamlFiles(shipped)).as("CRD files in %s vs %s", shipped, generated).isEqualTo(generatedNames);
        for (String name : generatedNames) {
            assertThat(Files.readAllBytes(shipped.resolve(name)))
                    .as("%s differs from crds/%s; copy the generated file into the chart", name, name)
                    .isEqualTo(Files.readAllBytes(generated.resolve(name)));
        }
    }

    @Test
    void chartShipsTheCrdOfEveryHyperKVKind() {
        assertThat(HelmChart.checkedIn().crds())
                .extracting(crd -> crd.getSpec().getNames().getKind())
                .contains("HyperKVCluster", "HyperKVSnapshot");
        assertThat(HelmChart.checkedIn().crds())
                .allSatisfy(crd -> assertThat(crd.getSpec().getGroup()).isEqualTo("hyperkv.io"));
    }

    private static Set<String> yamlFiles(Path dir) throws IOException {
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return names;
        }
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml") || n.endsWith(".yml"))
                    .forEach(names::add);
        }
        return names;
    }
}
