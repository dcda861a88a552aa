package io.hyperkv.server;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * {@code POST /v1/drain} on a real node (its own profile, since a drained node stays drained): while a connection has
 * a command in flight the drain waits for it and answers 503 at the deadline without cutting it off; once it is idle
 * the drain closes it and answers 200. Readiness is down from the first call; new clients are refused throughout.
 * The command in flight is represented by the node's own busy-connection count, the figure a worker command or a
 * reply waiting for its fsync holds up.
 */
@QuarkusTest
@TestProfile(DrainTest.DrainProfile.class)
class DrainTest {

    static final String TOKEN = "drain-test-token-1f3a5c7e";

    public static class DrainProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hyperkv.admin.token", TOKEN, "hyperkv.data-dir", "target/test-data/drain-" + UUID.randomUUID());
        }
    }

    @Inject
    NodeLifecycle lifecycle;
    @Inject
    RespListener listener;

    @Test
    void drainWaitsForCommandsInFlightThenClosesClientsAndStaysUnready() {
        int port = listener.port();
        given().get("/q/health/ready").then().statusCode(200);
        try (Jedis client = new Jedis("127.0.0.1", port)) {
            assertThat(client.set("drain:key", "v")).isEqualTo("OK");

            lifecycle.wiring().busyConnections().incrementAndGet();
            try {
                given().header("Authorization", "Bearer " + TOKEN).post("/v1/drain?timeoutSeconds=1").then()
                        .statusCode(503).body("drained", equalTo(false))
                        .body("error", containsString("1 connection(s) still running a command"));
                given().get("/q/health/ready").then().statusCode(503)
                        .body("checks.find { it.name == 'hyperkv' }.data.draining", equalTo(true));
                assertThatThrownBy(() -> {
                    try (Jedis late = new Jedis("127.0.0.1", port)) {
                        late.ping();
                    }
                }).hasMessageContaining("this node is draining");
                // Not cut off while busy.
                assertThat(client.get("drain:key")).isEqualTo("v");
            } finally {
                lifecycle.wiring().busyConnections().decrementAndGet();
            }

            given().header("Authorization", "Bearer " + TOKEN).post("/v1/drain").then().statusCode(200)
                    .body("drained", equalTo(true)).body("connectionsClosed", equalTo(1));
            assertThatThrownBy(client::ping).isInstanceOf(JedisConnectionException.class);
        }
        given().header("Authorization", "Bearer " + TOKEN).get("/v1/node").then().statusCode(200)
                .body("draining", equalTo(true)).body("ready", equalTo(false));
        // A retried preStop finds nothing left to do.
        given().header("Authorization", "Bearer " + TOKEN).post("/v1/drain?timeoutSeconds=5").then().statusCode(200)
                .body("connectionsClosed", equalTo(0));
        given().get("/q/health/live").then().statusCode(200);
    }
}
