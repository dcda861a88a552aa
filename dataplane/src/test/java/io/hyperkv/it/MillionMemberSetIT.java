package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * Issue 4's "1 000 000-member set" on a packaged node through Jedis: one million pipelined SADDs
 * (throughput printed), SCARD and membership checks, DEL replying at once however large the set
 * (latency printed: one range tombstone), and the disk space coming back after the compaction the
 * node schedules for a large deleted collection (sizes printed). The figures are printed, never
 * asserted: the machine running the test may be loaded. What is asserted is the outcome.
 */
class MillionMemberSetIT {

    private static final int MEMBERS = 1_000_000;
    private static final int PIPELINE = 10_000;

    @Test
    void aMillionMemberSetIsLoadedDeletedAtOnceAndItsSpaceComesBack() {
        try (ServerProcess node = ServerProcess.start(); Jedis j = new Jedis("127.0.0.1", node.respPort(), 120_000)) {
            long baseline = dirSize(node.dataDir());
            long start = System.nanoTime();
            for (int from = 0; from < MEMBERS; from += PIPELINE) {
                Pipeline p = j.pipelined();
                for (int i = from; i < from + PIPELINE; i++) {
                    p.sadd("big", "member:" + i);
                }
                p.sync();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("SADD: %d single-member SADDs pipelined by %d in %.1f s = %.0f SADD/s (Jedis, one connection)%n",
                    MEMBERS, PIPELINE, seconds, MEMBERS / seconds);

            assertThat(j.scard("big")).isEqualTo(MEMBERS);
            assertThat(j.sismember("big", "member:0")).isTrue();
            assertThat(j.sismember("big", "member:999999")).isTrue();
            assertThat(j.sismember("big", "member:1000000")).isFalse();
            assertThat(j.objectEncoding("big")).isEqualTo("hashtable");
            assertThat(j.srandmember("big", 5)).hasSize(5).allSatisfy(m -> assertThat(m).startsWith("member:"));

            long loaded = dirSize(node.dataDir());
            long sstLoaded = sstSize(j);
            long t0 = System.nanoTime();
            long deleted = j.del("big");
            long delMicros = (System.nanoTime() - t0) / 1000;
            System.out.printf("DEL of the %d-member set replied in %d us%n", MEMBERS, delMicros);
            assertThat(deleted).isEqualTo(1);
            assertThat(j.exists("big")).isFalse();
            assertThat(j.scard("big")).isZero();
            assertThat(j.dbSize()).isZero();

            // the node compacts the deleted range in the background: wait (bounded) for it to say so
            await("the node to compact the deleted set's range").atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> node.log().contains("compacted a large deleted SUB range"));
            long after = dirSize(node.dataDir());
            long sstAfter = sstSize(j);
            System.out.printf("data dir: %.1f MB empty, %.1f MB with the set (SST files %.1f MB, the rest WAL), "
                    + "%.1f MB after DEL and compaction (SST files %.1f MB)%n",
                    mb(baseline), mb(loaded), mb(sstLoaded), mb(after), mb(sstAfter));
            long grown = loaded - baseline;
            assertThat(after - baseline).as("what the set added to the data directory, left after compaction")
                    .isLessThan(grown / 10);
            assertThat(sstAfter).as("SST bytes left after compaction").isLessThan(Math.max(sstLoaded / 10, 1 << 20));

            // the node still works on the same key
            assertThat(j.sadd("big", "again")).isEqualTo(1);
            assertThat(j.smembers("big")).containsExactly("again");
        }
    }

    private static double mb(long bytes) {
        return bytes / 1048576.0;
    }

    private static long sstSize(Jedis j) {
        for (String line : j.info().split("\r?\n")) {
            if (line.startsWith("rocksdb_total_sst_files_size:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            }
        }
        return -1;
    }

    private static long dirSize(Path dir) {
        for (int attempt = 1; ; attempt++) {
            try {
                return walk(dir);
            } catch (UncheckedIOException e) {
                // RocksDB removed a file between listing and reading: walk again
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static long walk(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0; // a file RocksDB removed while we walked
                }
            }).sum();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
