package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.GenericMapOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/** Connection commands through real clients (Jedis, Lettuce) against the running application. */
@QuarkusTest
class ConnectionCommandsTest {

    @Inject
    RespListener listener;

    private Jedis jedis() {
        return new Jedis("127.0.0.1", listener.port());
    }

    @Test
    void pingAndEchoAnswerAsRedis() {
        try (Jedis j = jedis()) {
            assertThat(j.ping()).isEqualTo("PONG");
            assertThat(j.ping("hi there")).isEqualTo("hi there");
            assertThat(j.echo("é\r\nbinary")).isEqualTo("é\r\nbinary");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.PING, "a", "b"))
                    .hasMessage("ERR wrong number of arguments for 'ping' command");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.ECHO))
                    .hasMessage("ERR wrong number of arguments for 'echo' command");
        }
    }

    @Test
    void selectIsolatesDatabasesAndChecksTheIndex() {
        try (Jedis a = jedis(); Jedis b = jedis()) {
            a.select(0);
            a.set("sel:key", "in-db-0");
            b.select(5);
            assertThat(b.get("sel:key")).isNull();
            b.set("sel:key", "in-db-5");
            assertThat(a.get("sel:key")).isEqualTo("in-db-0");
            assertThat(b.get("sel:key")).isEqualTo("in-db-5");
            assertThatThrownBy(() -> b.select(16)).hasMessage("ERR DB index is out of range");
            assertThatThrownBy(() -> b.sendCommand(Protocol.Command.SELECT, "x"))
                    .hasMessage("ERR value is not an integer or out of range");
            assertThat(b.get("sel:key")).as("a refused SELECT keeps the current db").isEqualTo("in-db-5");
        }
    }

    @Test
    void authWithoutConfiguredPasswordGivesRedisError() {
        try (Jedis j = jedis()) {
            assertThatThrownBy(() -> j.auth("whatever")).hasMessage(
                    "ERR AUTH <password> called without any password configured for the default user."
                            + " Are you sure your configuration is correct?");
            assertThat(j.auth("default", "anything")).as("default user is nopass").isEqualTo("OK");
            assertThatThrownBy(() -> j.auth("alice", "pw"))
                    .hasMessage("WRONGPASS invalid username-password pair or user is disabled.");
        }
    }

    @Test
    void clientSetnameGetnameIdInfoAndSetinfo() {
        try (Jedis j = jedis()) {
            assertThat(j.clientGetname()).isNull();
            assertThat(j.clientSetname("worker-1")).isEqualTo("OK");
            assertThat(j.clientGetname()).isEqualTo("worker-1");
            assertThatThrownBy(() -> j.clientSetname("bad name"))
                    .hasMessage("ERR Client names cannot contain spaces, newlines or special characters.");
            long id = j.clientId();
            assertThat(id).isPositive();
            assertThat(j.sendCommand(Protocol.Command.CLIENT, "SETINFO", "lib-ver", "9.9")).isEqualTo(ok());
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.CLIENT, "SETINFO", "colour", "x"))
                    .hasMessage("ERR Unrecognized option 'colour'");
            String info = j.clientInfo();
            assertThat(info).startsWith("id=" + id + " addr=127.0.0.1:").contains(" name=worker-1 ")
                    .contains(" db=0 ").contains(" resp=2 ").contains(" lib-ver=9.9").endsWith("\n");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.CLIENT, "NOPE"))
                    .hasMessage("ERR unknown subcommand 'NOPE'. Try CLIENT HELP.");
            assertThat(j.sendCommand(Protocol.Command.CLIENT, "NO-EVICT", "on")).isEqualTo(ok());
            assertThat(j.sendCommand(Protocol.Command.CLIENT, "NO-TOUCH", "on")).isEqualTo(ok());
            assertThat(j.clientInfo()).contains(" flags=eT ");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.CLIENT, "NO-EVICT", "maybe"))
                    .hasMessage("ERR syntax error");
        }
    }

    @Test
    void clientListShowsEveryConnectionAndKillClosesTheChosenOne() {
        try (Jedis me = jedis(); Jedis victim = jedis(); Jedis bystander = jedis()) {
            me.clientSetname("me");
            victim.clientSetname("victim");
            bystander.clientSetname("bystander");
            long victimId = victim.clientId();
            String list = me.clientList();
            assertThat(list.lines()).anyMatch(l -> l.startsWith("id=" + victimId + " ") && l.contains(" name=victim "));
            assertThat(list.lines()).anyMatch(l -> l.contains(" name=me ") && l.contains(" cmd=client|list "));

            assertThat(me.sendCommand(Protocol.Command.CLIENT, "KILL", "ID", Long.toString(victimId))).isEqualTo(1L);
            await().atMost(Duration.ofSeconds(10)).until(() -> !me.clientList().contains("name=victim"));
            assertThatThrownBy(victim::ping).isInstanceOf(JedisConnectionException.class);

            assertThatThrownBy(() -> me.sendCommand(Protocol.Command.CLIENT, "KILL", "ID", "0"))
                    .hasMessage("ERR client-id should be greater than 0");
            assertThatThrownBy(() -> me.sendCommand(Protocol.Command.CLIENT, "KILL", "USER", "nobody"))
                    .hasMessage("ERR No such user 'nobody'");
            assertThatThrownBy(() -> me.sendCommand(Protocol.Command.CLIENT, "KILL", "1.2.3.4:5"))
                    .hasMessage("ERR No such client");

            // Old form by address, and SKIPME yes (the default) spares the caller.
            String bystanderAddr = field(bystander.clientInfo(), "addr");
            assertThat(me.sendCommand(Protocol.Command.CLIENT, "KILL", bystanderAddr)).isEqualTo(ok());
            assertThatThrownBy(bystander::ping).isInstanceOf(JedisConnectionException.class);
            String myAddr = field(me.clientInfo(), "addr");
            assertThat(me.sendCommand(Protocol.Command.CLIENT, "KILL", "ADDR", myAddr)).isEqualTo(0L);
            assertThat(me.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void quitRepliesOkThenCloses() {
        try (Jedis j = jedis()) {
            assertThat(j.sendCommand(() -> "QUIT".getBytes(StandardCharsets.US_ASCII))).isEqualTo(ok());
            assertThatThrownBy(j::ping).isInstanceOf(JedisConnectionException.class);
        }
    }

    @Test
    void resetRestoresConnectionDefaults() {
        try (Jedis j = jedis()) {
            j.select(3);
            j.clientSetname("before-reset");
            assertThat(j.sendCommand(Protocol.Command.RESET)).isEqualTo("RESET".getBytes(StandardCharsets.US_ASCII));
            assertThat(j.clientGetname()).isNull();
            assertThat(j.clientInfo()).contains(" db=0 ");
        }
    }

    @Test
    void helloNegotiatesResp3AndLettuceReadsRespThreeShapes() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", listener.port()));
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            Map<String, Object> hello = c.sync().dispatch(CommandType.HELLO, new GenericMapOutput<>(StringCodec.UTF8),
                    new CommandArgs<>(StringCodec.UTF8).add(3).add("SETNAME").add("lettuce-3"));
            assertThat(hello).containsEntry("server", "redis").containsEntry("proto", 3L)
                    .containsEntry("mode", "standalone").containsEntry("role", "master")
                    .containsKeys("version", "id");
            assertThat(c.sync().clientGetname()).isEqualTo("lettuce-3");
            assertThat(c.sync().clientInfo()).contains(" resp=3 ");
            assertThat(c.sync().ping()).isEqualTo("PONG");
        } finally {
            client.shutdown();
        }
        try (Jedis j = jedis()) {
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.HELLO, "4"))
                    .hasMessage("NOPROTO unsupported protocol version");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.HELLO, "x"))
                    .hasMessage("ERR Protocol version is not an integer or out of range");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.HELLO, "3", "AUTH", "default"))
                    .hasMessage("ERR Syntax error in HELLO option 'AUTH'");
            // In RESP2 HELLO's map is a flat array of 14 elements.
            List<?> flat = (List<?>) j.sendCommand(Protocol.Command.HELLO, "2");
            assertThat(flat).hasSize(14);
            assertThat(new String((byte[]) flat.get(0), StandardCharsets.UTF_8)).isEqualTo("server");
            assertThat(new String((byte[]) flat.get(12), StandardCharsets.UTF_8)).isEqualTo("modules");
            assertThat((List<?>) flat.get(13)).isEmpty();
        }
    }

    @Test
    void unknownCommandAndArityErrorsUseRedisWords() {
        try (Jedis j = jedis()) {
            assertThatThrownBy(() -> j.sendCommand(() -> "NOSUCH".getBytes(StandardCharsets.US_ASCII), "a", "b"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessage("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.CLIENT))
                    .hasMessage("ERR wrong number of arguments for 'client' command");
        }
    }

    private static byte[] ok() {
        return "OK".getBytes(StandardCharsets.US_ASCII);
    }

    private static String field(String clientLine, String name) {
        for (String part : clientLine.trim().split(" ")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name + " not in " + clientLine);
    }
}
