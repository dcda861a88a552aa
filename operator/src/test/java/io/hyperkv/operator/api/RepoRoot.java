package io.hyperkv.operator.api;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root: the build passes it as {@code hyperkv.repo.root}; otherwise found by walking up to crds/. */
public final class RepoRoot {

  private RepoRoot() {
  }

  public static Path path() {
    String configured = System.getProperty("hyperkv.repo.root");
    if (configured != null) {
      return Path.of(configured).toAbsolutePath().normalize();
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("operator"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("cannot find the repository root from " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
