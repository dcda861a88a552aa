package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.commands.ProtocolCommand;

/** KRANGE through Jedis against the running application, alone and inside MULTI. */
@QuarkusTest
class OrderedKeysClientTest {

    private static final ProtocolCommand KRANGE = () -> "KRANGE".getBytes(StandardCharsets.US_ASCII);

    @Inject
    RespListener listener;

    private static List<String> strings(Object reply) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) reply) {
            out.add(o == null ? null : new String((byte[]) o, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void krangeListsAPrefixInByteOrderWithValues() {
        try (Jedis j = new Jedis("127.0.0.1", listener.port())) {
            j.select(7);
            j.flushDB();
            for (String k : List.of("user:3", "user:1", "user:10", "user:2", "users", "other")) {
                j.set(k, "v" + k.substring(k.length() - 1));
            }
            assertThat(strings(j.sendCommand(KRANGE, "[user:", "(user;")))
                    .containsExactly("user:1", "user:10", "user:2", "user:3");
            assertThat(strings(j.sendCommand(KRANGE, "(user:1", "+", "LIMIT", "2", "WITHVALUES")))
                    .containsExactly("user:10", "v0", "user:2", "v2");
            assertThatThrownBy(() -> j.sendCommand(KRANGE, "user", "+"))
                    .hasMessage("ERR min or max not valid string range item");

            Transaction t = j.multi();
            t.set("user:0", "v0");
            t.sendCommand(KRANGE, "-", "(user:1");
            List<Object> replies = t.exec();
            assertThat(strings(replies.get(1))).containsExactly("other", "user:0");
        }
    }
}
