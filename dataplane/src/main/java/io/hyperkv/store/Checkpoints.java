package io.hyperkv.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Named RocksDB checkpoints under {@code <data dir>/checkpoints}: SAVE/BGSAVE keep the latest
 * {@code save-*} one, the admin API keeps its own ids. A checkpoint is complete or absent: it is
 * made under a temporary name and renamed into place. {@code checkpoints/<id>} has the layout of a
 * data dir ({@code <id>/rocksdb}), so pointing {@code hyperkv.data-dir} at it restores it.
 */
public final class Checkpoints {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    private final Engine engine;
    private final Path root;

    /** A checkpoint on disk and its size in bytes (hard-linked files counted in full). */
    public record Info(String id, Path path, long bytes, long createdMillis) {}

    public Checkpoints(Engine engine) {
        this.engine = engine;
        this.root = engine.dataDir().resolve("checkpoints");
    }

    public Path root() {
        return root;
    }

    public Info create(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid checkpoint id '" + id + "'");
        }
        Path target = root.resolve(id);
        Path tmp = root.resolve(".tmp-" + id);
        try {
            deleteTree(tmp);
            if (Files.exists(target)) {
                throw new IllegalArgumentException("checkpoint '" + id + "' exists");
            }
            // <id>/rocksdb mirrors a data dir, so a node can start from a checkpoint as its data dir
            engine.checkpoint(tmp.resolve("rocksdb"));
            Files.move(tmp, target);
            return info(target);
        } catch (IOException e) {
            throw new StoreException("checkpoint " + id + " failed: " + e.getMessage(), e);
        }
    }

    public List<Info> list() {
        List<Info> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().forEach(p -> out.add(info(p)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public void delete(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid checkpoint id '" + id + "'");
        }
        try {
            deleteTree(root.resolve(id));
        } catch (IOException e) {
            throw new StoreException("cannot delete checkpoint " + id + ": " + e.getMessage(), e);
        }
    }

    private static Info info(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            long bytes = s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            return new Info(dir.getFileName().toString(), dir, bytes, Files.getLastModifiedTime(dir).toMillis());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
