package io.hyperkv.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD YAML under {@code crds/} is what the chart installs; it must be exactly what the Java classes generate.
 * To accept a change of the classes, run this test with {@code -Dhyperkv.crds.write=true} and commit crds/.
 */
class CrdDriftTest {

  static final Path CRDS = RepoRoot.path().resolve("crds");

  @Test
  void checkedInCrdsMatchTheClasses(@TempDir Path generated) throws IOException {
    CrdGeneration.generateInto(generated.toFile());

    try (Stream<Path> files = Files.list(generated)) {
      var names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertThat(names).containsExactly("hyperkvclusters.hyperkv.io-v1.yml", "hyperkvsnapshots.hyperkv.io-v1.yml");
      for (String name : names) {
        String fresh = Files.readString(generated.resolve(name));
        Path checkedIn = CRDS.resolve(name);
        if (Boolean.getBoolean("hyperkv.crds.write")) {
          Files.createDirectories(CRDS);
          Files.writeString(checkedIn, fresh);
        }
        assertThat(checkedIn).as("crds/%s is missing: run with -Dhyperkv.crds.write=true", name).exists();
        assertThat(Files.readString(checkedIn))
            .as("crds/%s drifted from the Java classes: run with -Dhyperkv.crds.write=true and commit", name)
            .isEqualTo(fresh);
      }
    }
  }
}
