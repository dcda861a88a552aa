package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hyperkv.server.RespListener;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What HyperKV does by design on top of (or unlike) redis-server, through a real client against
 * the running application: active expiry on RocksDB, appendfsync switched at run time to the
 * group commit, and SCAN cursors that survive being unknown.
 */
@QuarkusTest
class HyperKvStoreBehaviourTest {

    @Inject
    RespListener listener;

    private Jedis jedis() {
        return new Jedis("127.0.0.1", listener.port());
    }

    @Test
    void activeExpiryRemovesKeysNobodyReads() {
        try (Jedis j = jedis()) {
            j.select(7);
            j.flushDB();
            for (int i = 0; i < 300; i++) {
                j.psetex("volatile:" + i, 100, "v");
            }
            j.set("durable", "v");
            // DBSIZE reads no key, so only the server's background cycle can bring it down
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> j.dbSize() == 1);
            assertThat(j.info("keyspace")).contains("db7:keys=1,expires=0");
            assertThat(j.info("stats")).containsPattern("expired_keys:[1-9]");
            assertThat(j.get("durable")).isEqualTo("v");
        }
    }

    @Test
    void appendfsyncAlwaysAcknowledgesConcurrentWritersThroughTheGroupCommit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (Jedis admin = jedis()) {
            admin.select(8);
            admin.flushDB();
            assertThat(admin.configSet("appendfsync", "always")).isEqualTo("OK");
            assertThat(admin.info("persistence")).contains("appendfsync:always");
            List<CompletableFuture<Void>> writers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int id = t;
                writers.add(CompletableFuture.runAsync(() -> {
                    try (Jedis j = jedis()) {
                        j.select(8);
                        for (int i = 0; i < 100; i++) {
                            assertThat(j.set("w" + id + ":" + i, Integer.toString(i))).isEqualTo("OK");
                            assertThat(j.incr("counter")).isPositive();
                        }
                    }
                }, pool));
            }
            CompletableFuture.allOf(writers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
            assertThat(admin.dbSize()).isEqualTo(801);
            assertThat(admin.get("counter")).isEqualTo("800");
            assertThat(admin.get("w7:99")).isEqualTo("99");
        } finally {
            try (Jedis admin = jedis()) {
                admin.configSet("appendfsync", "everysec");
            }
            pool.shutdownNow();
        }
    }

    @Test
    void scanWithAnUnknownCursorStartsOverInsteadOfLosingKeys() {
        try (Jedis j = jedis()) {
            j.select(9);
            j.flushDB();
            for (int i = 0; i < 25; i++) {
                j.set("k" + i, "v");
            }
            // a cursor this server never issued (e.g. from before a restart): every key is still returned
            Set<String> seen = new HashSet<>();
            String cursor = "123456789";
            int pages = 0;
            do {
                ScanResult<String> page = j.scan(cursor, new ScanParams().count(4));
                seen.addAll(page.getResult());
                cursor = page.getCursor();
                pages++;
            } while (!cursor.equals("0") && pages < 100);
            assertThat(seen).hasSize(25);
        }
    }

    @Test
    void saveWritesACheckpointAndLastsaveMovesForward() {
        try (Jedis j = jedis()) {
            long before = j.lastsave();
            j.set("saved", "1");
            assertThat(j.save()).isEqualTo("OK");
            assertThat(j.lastsave()).isGreaterThanOrEqualTo(before);
            assertThat(j.info("persistence")).contains("rdb_last_bgsave_status:ok").contains("rdb_changes_since_last_save:0");
        }
    }
}
