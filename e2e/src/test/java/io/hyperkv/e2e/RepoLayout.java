package io.hyperkv.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the repository's checked-in artifacts live, found from the build rather than from a machine path.
 *
 * <p>Invariant: {@link #root()} is a directory holding both {@code pom.xml} and {@code charts/}; the build
 * passes it as the {@code hyperkv.repo.root} system property, and a run from an IDE falls back to walking
 * up from the working directory.
 */
public final class RepoLayout {

    private RepoLayout() {
    }

    public static Path root() {
        String configured = System.getProperty("hyperkv.repo.root");
        if (configured != null && !configured.isBlank()) {
            return requireRoot(Path.of(configured).toAbsolutePath().normalize());
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (isRoot(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root (a directory with pom.xml and charts/) above "
                + Path.of("").toAbsolutePath());
    }

    public static Path chart() {
        return root().resolve("charts").resolve("hyperkv-operator");
    }

    /** The CRDs generated from the operator's Java classes, the source the chart's copies must match. */
    public static Path generatedCrds() {
        return root().resolve("crds");
    }

    private static Path requireRoot(Path dir) {
        if (!isRoot(dir)) {
            throw new IllegalStateException("hyperkv.repo.root=" + dir + " is not the repository root");
        }
        return dir;
    }

    private static boolean isRoot(Path dir) {
        return Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("charts"));
    }
}
