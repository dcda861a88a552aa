package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;

/** {@code hyperkv.requirepass}: NOAUTH before AUTH, Redis's words for wrong passwords, HELLO AUTH, RESET. */
@QuarkusTest
@TestProfile(AuthTest.WithPassword.class)
class AuthTest {

    public static class WithPassword implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hyperkv.requirepass", "s3cret");
        }
    }

    @Inject
    RespListener listener;

    @Test
    void commandsNeedAuthUntilTheRightPasswordIsGiven() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            assertThatThrownBy(j::ping).hasMessage("NOAUTH Authentication required.");
            assertThatThrownBy(() -> j.get("k")).hasMessage("NOAUTH Authentication required.");
            assertThatThrownBy(() -> j.auth("wrong"))
                    .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
            assertThatThrownBy(() -> j.auth("bob", "s3cret"))
                    .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.AUTH, "a", "b", "c"))
                    .hasMessage("ERR syntax error");
            assertThat(j.auth("s3cret")).isEqualTo("OK");
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.sendCommand(Protocol.Command.RESET)).isEqualTo("RESET".getBytes(StandardCharsets.US_ASCII));
            assertThatThrownBy(j::ping).as("RESET logs the connection out").hasMessage("NOAUTH Authentication required.");
            assertThat(j.auth("default", "s3cret")).isEqualTo("OK");
            assertThat(j.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void helloRequiresAuthOrAuthenticatesInline() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.HELLO, "3"))
                    .hasMessageStartingWith("NOAUTH HELLO must be called with the client already authenticated");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.HELLO, "2", "AUTH", "default", "nope"))
                    .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
            List<?> hello = (List<?>) j.sendCommand(Protocol.Command.HELLO, "2", "AUTH", "default", "s3cret",
                    "SETNAME", "authed");
            assertThat(hello).hasSize(14);
            assertThat(j.clientGetname()).isEqualTo("authed");
        }
    }

    @Test
    void unauthenticatedClientsCannotSendLargeFrames() throws Exception {
        // Redis limits unauthenticated clients to small multibulk headers, so a stranger cannot make
        // the server buffer a large request before proving it knows the password.
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", listener.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("*100\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).isEqualTo("-ERR Protocol error: unauthenticated multibulk length\r\n");
        }
    }
}
