package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Start-up and graceful shutdown of a packaged node: readiness over HTTP, SIGTERM and the SHUTDOWN
 * command both flush and close the store (so even {@code appendfsync no} loses nothing on a clean
 * stop), and a bad configuration stops start-up with a message naming the key.
 */
class LifecycleIT {

    @Test
    void sigtermAndShutdownCommandFlushAndCloseTheStore() throws Exception {
        try (ServerProcess node = ServerProcess.start(Map.of("hyperkv.appendfsync", "no"))) {
            assertThat(get(node, "/q/health/ready")).contains("\"status\": \"UP\"");
            try (Jedis j = new Jedis("127.0.0.1", node.respPort())) {
                for (int i = 0; i < 500; i++) {
                    j.set("life:" + i, "v" + i);
                }
            }
            node.stop(Duration.ofSeconds(30));
            assertThat(node.log()).contains("HyperKV store flushed and closed");

            node.restart();
            try (Jedis j = new Jedis("127.0.0.1", node.respPort())) {
                assertThat(j.get("life:0")).isEqualTo("v0");
                assertThat(j.get("life:499")).isEqualTo("v499");
                j.set("life:after-restart", "yes");
                // SHUTDOWN sends no reply: the connection just ends, as with redis-server.
                assertThatThrownBy(() -> j.sendCommand(Protocol.Command.SHUTDOWN))
                        .isInstanceOf(JedisConnectionException.class);
            }
            await("node to exit after SHUTDOWN").atMost(Duration.ofSeconds(30)).until(() -> !node.alive());
            assertThat(node.log()).contains("SHUTDOWN requested by a client").contains("HyperKV store flushed and closed");

            node.restart();
            try (Jedis j = new Jedis("127.0.0.1", node.respPort())) {
                assertThat(j.get("life:after-restart")).isEqualTo("yes");
            }
        }
    }

    @Test
    void memoryEngineIsRefusedAtStartWithAClearMessage() {
        assertThatThrownBy(() -> ServerProcess.start(Map.of("hyperkv.engine", "memory")))
                .hasMessageContaining("hyperkv.engine=memory is not available in this version");
    }

    private static String get(ServerProcess node, String path) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.httpPort() + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }
}
