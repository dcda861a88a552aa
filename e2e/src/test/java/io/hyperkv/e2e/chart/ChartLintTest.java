package io.hyperkv.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.LintResult;

import io.hyperkv.e2e.TestResources;

class ChartLintTest {

    @Test
    void chartLintsCleanWithItsDefaultValues() {
        LintResult result = HelmChart.checkedIn().lint();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void chartLintsCleanWhenWatchingANamespaceList(@TempDir Path scratch) {
        LintResult result = HelmChart.checkedIn().lint(TestResources.path("chart/watch-two-namespaces.yaml"), scratch);

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }
}
