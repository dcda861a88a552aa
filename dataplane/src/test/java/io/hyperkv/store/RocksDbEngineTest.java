package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksDbEngineTest {

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void putGetDeleteAndOrderedRangeInEachColumnFamily() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            e.put(ColumnFamily.META, b("b"), b("2"));
            e.put(ColumnFamily.META, b("a"), b("1"));
            e.put(ColumnFamily.META, b("c"), b("3"));
            e.put(ColumnFamily.SUB, b("a"), b("other family"));
            assertThat(e.get(ColumnFamily.META, b("a"))).isEqualTo(b("1"));
            assertThat(e.get(ColumnFamily.SUB, b("a"))).isEqualTo(b("other family"));
            e.delete(ColumnFamily.META, b("a"));
            assertThat(e.get(ColumnFamily.META, b("a"))).isNull();
            List<String> seen = new ArrayList<>();
            try (Engine.Cursor c = e.iterate(ColumnFamily.META, b("b"), b("c"))) {
                for (; c.valid(); c.next()) {
                    seen.add(new String(c.key()));
                }
            }
            assertThat(seen).containsExactly("b");
        }
    }

    @Test
    void cursorsMoveBackwardsWithinTheirBounds() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            for (String k : List.of("a", "b1", "b2", "b3", "c")) {
                e.put(ColumnFamily.SUB, b(k), b(k));
            }
            List<String> seen = new ArrayList<>();
            try (Engine.Cursor c = e.iterate(ColumnFamily.SUB, b("b"), b("c"))) {
                for (c.seekToLast(); c.valid(); c.prev()) {
                    seen.add(new String(c.key()));
                }
                assertThat(seen).containsExactly("b3", "b2", "b1");
                c.seekForPrev(b("b2x"));
                assertThat(new String(c.key())).isEqualTo("b2");
                c.seekForPrev(b("b0"));
                assertThat(c.valid()).as("nothing at or before b0 inside [b, c)").isFalse();
                c.seekToFirst();
                assertThat(new String(c.key())).isEqualTo("b1");
            }
        }
    }

    @Test
    void compactRangeGivesBackTheSpaceOfARangeDeletion() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            java.util.Random random = new java.util.Random(1);
            for (int i = 0; i < 20_000; i++) {
                byte[] value = new byte[1000];
                random.nextBytes(value);
                e.put(ColumnFamily.SUB, java.nio.ByteBuffer.allocate(5).put((byte) 'p').putInt(i).array(), value);
            }
            e.compactRange(ColumnFamily.SUB, null, null);
            long before = e.property("rocksdb.total-sst-files-size");
            e.deleteRange(ColumnFamily.SUB, b("p"), b("q"));
            e.compactRange(ColumnFamily.SUB, b("p"), b("q"));
            long after = e.property("rocksdb.total-sst-files-size");
            assertThat(before).as("20 000 rows of 1 KB on disk").isGreaterThan(10_000_000L);
            assertThat(after).as("after the range deletion and compaction").isLessThan(before / 100);
            try (Engine.Cursor c = e.iterate(ColumnFamily.SUB, b("p"), b("q"))) {
                assertThat(c.valid()).isFalse();
            }
        }
    }

    @Test
    void batchIsAtomicAndDeleteRangeRemovesOnlyTheRange() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            try (Engine.Batch batch = e.batch()) {
                for (int i = 0; i < 10; i++) {
                    batch.put(ColumnFamily.META, new byte[] {(byte) i, 'k'}, b("v" + i));
                }
                e.write(batch);
            }
            e.deleteRange(ColumnFamily.META, new byte[] {3}, new byte[] {7});
            for (int i = 0; i < 10; i++) {
                byte[] v = e.get(ColumnFamily.META, new byte[] {(byte) i, 'k'});
                if (i >= 3 && i < 7) {
                    assertThat(v).as("key %d", i).isNull();
                } else {
                    assertThat(v).as("key %d", i).isEqualTo(b("v" + i));
                }
            }
        }
    }

    @Test
    void restartRecoversEveryWrite() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.ALWAYS))) {
            for (int i = 0; i < 1000; i++) {
                e.put(ColumnFamily.META, b("key" + i), b("value" + i));
            }
            e.durable().join();
        }
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.ALWAYS))) {
            for (int i = 0; i < 1000; i++) {
                assertThat(e.get(ColumnFamily.META, b("key" + i))).isEqualTo(b("value" + i));
            }
        }
    }

    @Test
    void groupCommitCompletesEveryWaiterOnlyAfterAnFsyncCoveringItsWrites() throws Exception {
        int threads = 8;
        int perThread = 200;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (RocksDbEngine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.ALWAYS))) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                all.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perThread; i++) {
                        e.put(ColumnFamily.META, b(id + ":" + i), b("v"));
                        long mine = e.writes();
                        e.durable().join();
                        // the future completed, so an fsync covered at least every write that had returned
                        assertThat(e.syncedWrites()).isGreaterThanOrEqualTo(mine);
                    }
                }, pool));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            System.out.printf("group commit: %d writes acknowledged with %d fsyncs%n", threads * perThread, e.groupCommits());
            assertThat(e.groupCommits()).isPositive().isLessThanOrEqualTo(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void durableIsImmediateUnlessAppendfsyncIsAlways() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.EVERYSEC))) {
            e.put(ColumnFamily.META, b("k"), b("v"));
            assertThat(e.durable()).isDone();
            e.fsync(Fsync.ALWAYS);
            e.put(ColumnFamily.META, b("k2"), b("v"));
            assertThat(e.durable()).succeedsWithin(java.time.Duration.ofSeconds(10));
        }
    }

    @Test
    void tornWalTailIsRepairedNotARefusalToStart() throws IOException {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            for (int i = 0; i < 2000; i++) {
                e.put(ColumnFamily.META, b(String.format("key%05d", i)), b("value" + i));
            }
            e.sync();
        }
        Path wal;
        try (Stream<Path> s = Files.list(dir.resolve("rocksdb"))) {
            wal = s.filter(p -> p.toString().endsWith(".log")).max(Comparator.comparing(Path::toString)).orElseThrow();
        }
        long size = Files.size(wal);
        assertThat(size).as("the writes are still in the WAL").isGreaterThan(10_000);
        try (RandomAccessFile f = new RandomAccessFile(wal.toFile(), "rw")) {
            // a crash in the middle of the last record: cut it and leave garbage behind
            f.setLength(size - 7);
            f.seek(size - 7);
            f.write(new byte[] {1, 2, 3});
        }
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            assertThat(e.get(ColumnFamily.META, b("key00000"))).isEqualTo(b("value0"));
            assertThat(e.get(ColumnFamily.META, b("key01990"))).isEqualTo(b("value1990"));
            int present = 0;
            try (Engine.Cursor c = e.iterate(ColumnFamily.META, null, null)) {
                for (; c.valid(); c.next()) {
                    present++;
                }
            }
            assertThat(present).isBetween(1990, 1999);
        }
    }

    @Test
    void checkpointIsAnOpenableCopy() {
        Path cp = dir.resolve("cp");
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir.resolve("db"), Fsync.NO))) {
            e.put(ColumnFamily.META, b("k"), b("v"));
            e.checkpoint(cp.resolve("rocksdb"));
            e.put(ColumnFamily.META, b("after"), b("x"));
            assertThat(e.property("rocksdb.estimate-num-keys")).isGreaterThanOrEqualTo(1);
            assertThat(e.property("rocksdb.cur-size-all-mem-tables")).isPositive();
        }
        try (Engine copy = RocksDbEngine.open(EngineOptions.of(cp, Fsync.NO))) {
            assertThat(copy.get(ColumnFamily.META, b("k"))).isEqualTo(b("v"));
            assertThat(copy.get(ColumnFamily.META, b("after"))).isNull();
        }
    }

    @Test
    void memoryEngineIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> Engines.open("memory", EngineOptions.of(dir, Fsync.NO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hyperkv.engine=memory is not available");
        assertThatThrownBy(() -> Engines.open("leveldb", EngineOptions.of(dir, Fsync.NO)))
                .hasMessageContaining("unknown hyperkv.engine 'leveldb'");
        Engines.open("rocksdb", EngineOptions.of(dir, Fsync.NO)).close();
    }
}
