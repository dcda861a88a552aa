package io.hyperkv.server;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Quarkus health probes and the Prometheus scrape reflect the live node. */
@QuarkusTest
class HealthAndMetricsTest {

    @Inject
    RespListener listener;

    @Test
    void liveAndReadyReportUpWithTheRespPort() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.find { it.name == 'hyperkv' }.data.resp-port", equalTo(listener.port()));
    }

    @Test
    void metricsCountCommandsByNameAndShowClientsAndRocksDb() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            for (int i = 0; i < 7; i++) {
                j.echo("m");
            }
            String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
            assertThat(counter(scrape, "hyperkv_commands_total{cmd=\"echo\"}")).isGreaterThanOrEqualTo(7);
            assertThat(scrape).contains("hyperkv_command_duration_seconds_bucket{cmd=\"echo\"");
            assertThat(counter(scrape, "hyperkv_connected_clients")).isGreaterThanOrEqualTo(1);
            assertThat(scrape).contains("hyperkv_rocksdb_memtable_bytes ").contains("hyperkv_rocksdb_sst_bytes ")
                    .contains("hyperkv_keys ").contains("hyperkv_db_keys{db=\"db0\"}").contains("hyperkv_memory_used_bytes ")
                    .contains("jvm_memory_used_bytes");
            double before = counter(scrape, "hyperkv_commands_total{cmd=\"echo\"}");
            j.echo("one more");
            String again = given().get("/q/metrics").then().extract().asString();
            assertThat(counter(again, "hyperkv_commands_total{cmd=\"echo\"}")).isEqualTo(before + 1);
        }
    }

    /** The value of the first sample line starting with {@code series} (name plus labels). */
    @Test
    void metaCacheHitsAndMissesAreCountedAtScrapeTime() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            j.set("metrics-cached", "v");
            String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
            double hits = counter(scrape, "hyperkv_meta_cache_hits_total");
            double misses = counter(scrape, "hyperkv_meta_cache_misses_total");
            assertThat(counter(scrape, "hyperkv_meta_cache_entries")).isGreaterThanOrEqualTo(1);
            assertThat(counter(scrape, "hyperkv_meta_cache_bytes")).isPositive();
            assertThat(j.get("metrics-cached")).isEqualTo("v");
            assertThat(j.get("metrics-cached")).isEqualTo("v");
            String again = given().get("/q/metrics").then().extract().asString();
            assertThat(counter(again, "hyperkv_meta_cache_hits_total")).as("two GETs of a key just SET").isEqualTo(hits + 2);
            assertThat(counter(again, "hyperkv_meta_cache_misses_total")).isEqualTo(misses);
        }
    }

    @Test
    void rowCacheHitsAndMissesAreCountedAtScrapeTime() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            j.sadd("metrics-set", "a");
            String scrape = given().get("/q/metrics").then().statusCode(200).extract().asString();
            double hits = counter(scrape, "hyperkv_row_cache_hits_total");
            double misses = counter(scrape, "hyperkv_row_cache_misses_total");
            for (int i = 0; i < 2; i++) {
                assertThat(j.sismember("metrics-set", "a")).isTrue();
                assertThat(j.sismember("metrics-set", "b")).isFalse();
            }
            String again = given().get("/q/metrics").then().extract().asString();
            assertThat(counter(again, "hyperkv_row_cache_hits_total")).as("second reads, of a present and an absent row")
                    .isEqualTo(hits + 2);
            assertThat(counter(again, "hyperkv_row_cache_misses_total")).as("first reads").isEqualTo(misses + 2);
            assertThat(counter(again, "hyperkv_row_cache_bytes")).isPositive();
        }
    }

    private static double counter(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError(series + " not in scrape");
    }
}
