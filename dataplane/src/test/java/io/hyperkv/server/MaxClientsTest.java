package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** {@code hyperkv.maxclients}: the connection past the limit gets Redis's error and is closed; capacity comes back. */
@QuarkusTest
@TestProfile(MaxClientsTest.ThreeClients.class)
class MaxClientsTest {

    public static class ThreeClients implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hyperkv.maxclients", "3");
        }
    }

    @Inject
    RespListener listener;

    @Test
    void connectionBeyondMaxclientsIsRefusedWithRedisError() throws Exception {
        Jedis a = new Jedis("127.0.0.1", listener.port());
        Jedis b = new Jedis("127.0.0.1", listener.port());
        Jedis c = new Jedis("127.0.0.1", listener.port());
        try {
            assertThat(a.ping()).isEqualTo("PONG");
            assertThat(b.ping()).isEqualTo("PONG");
            assertThat(c.ping()).isEqualTo("PONG");
            try (Socket fourth = new Socket("127.0.0.1", listener.port())) {
                fourth.setSoTimeout(30_000);
                String answer = new String(fourth.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answer).isEqualTo("-ERR max number of clients reached\r\n");
            }
        } finally {
            c.close();
        }
        // Once one leaves, a new client is admitted again.
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Jedis d = new Jedis("127.0.0.1", listener.port())) {
                return "PONG".equals(d.ping());
            }
        });
        a.close();
        b.close();
    }
}
