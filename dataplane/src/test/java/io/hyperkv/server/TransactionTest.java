package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.protocol.ProtocolVersion;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/** MULTI/EXEC/DISCARD/WATCH through real clients (Jedis, Lettuce, raw sockets) against the running application. */
@QuarkusTest
class TransactionTest {

    @Inject
    RespListener listener;

    private Jedis jedis() {
        return new Jedis("127.0.0.1", listener.port());
    }

    @Test
    void execRunsTheQueueInOrderAndReportsRuntimeErrorsPerCommand() {
        try (Jedis j = jedis()) {
            j.del("tx:a", "tx:s");
            j.set("tx:s", "text");
            Transaction t = j.multi();
            Response<String> set = t.set("tx:a", "1");
            Response<Long> incr = t.incr("tx:a");
            t.incr("tx:s");
            Response<String> get = t.get("tx:a");
            List<Object> replies = t.exec();
            assertThat(replies).hasSize(4);
            assertThat(set.get()).isEqualTo("OK");
            assertThat(incr.get()).isEqualTo(2L);
            assertThat(replies.get(2)).isInstanceOf(JedisDataException.class)
                    .hasFieldOrPropertyWithValue("message", "ERR value is not an integer or out of range");
            assertThat(get.get()).isEqualTo("2");
            assertThat(j.get("tx:a")).isEqualTo("2");
        }
    }

    @Test
    void aQueueTimeErrorAbortsTheWholeTransaction() {
        try (Jedis j = jedis()) {
            j.del("tx:abort");
            assertThat(j.sendCommand(Protocol.Command.MULTI)).isEqualTo(ok());
            assertThat(j.sendCommand(Protocol.Command.SET, "tx:abort", "1")).isEqualTo(bytes("QUEUED"));
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.SET, "tx:abort"))
                    .hasMessage("ERR wrong number of arguments for 'set' command");
            assertThatThrownBy(() -> j.sendCommand(() -> bytes("NOSUCH"), "x"))
                    .hasMessage("ERR unknown command 'NOSUCH', with args beginning with: 'x' ");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.SAVE))
                    .hasMessage("ERR Command not allowed inside a transaction");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.EXEC))
                    .hasMessage("EXECABORT Transaction discarded because of previous errors.");
            assertThat(j.exists("tx:abort")).as("nothing of an aborted transaction runs").isFalse();
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.EXEC)).hasMessage("ERR EXEC without MULTI");
        }
    }

    @Test
    void misplacedTransactionCommandsAreRefusedAsRedisDoes() {
        try (Jedis j = jedis()) {
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.DISCARD)).hasMessage("ERR DISCARD without MULTI");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.EXEC)).hasMessage("ERR EXEC without MULTI");
            assertThat(j.sendCommand(Protocol.Command.MULTI)).isEqualTo(ok());
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.MULTI)).hasMessage("ERR MULTI calls can not be nested");
            assertThatThrownBy(() -> j.sendCommand(Protocol.Command.WATCH, "k"))
                    .hasMessage("ERR WATCH inside MULTI is not allowed");
            assertThat(j.sendCommand(Protocol.Command.PING)).isEqualTo(bytes("QUEUED"));
            List<?> replies = (List<?>) j.sendCommand(Protocol.Command.EXEC);
            assertThat(replies).as("neither refusal flags the transaction").hasSize(1);
            assertThat(new String((byte[]) replies.get(0), StandardCharsets.UTF_8)).isEqualTo("PONG");
            assertThat(j.sendCommand(Protocol.Command.MULTI)).isEqualTo(ok());
            assertThat(j.sendCommand(Protocol.Command.SET, "tx:discarded", "1")).isEqualTo(bytes("QUEUED"));
            assertThat(j.sendCommand(Protocol.Command.DISCARD)).isEqualTo(ok());
            assertThat(j.exists("tx:discarded")).isFalse();
        }
    }

    @Test
    void aWatchedKeyChangedByAnotherClientMakesExecReturnNull() {
        try (Jedis a = jedis(); Jedis b = jedis()) {
            a.set("tx:w", "1");
            a.watch("tx:w");
            b.set("tx:w", "1"); // the same value: Redis's touch model aborts all the same (ABA)
            Transaction t = a.multi();
            t.set("tx:w", "mine");
            assertThat(t.exec()).as("EXEC after a touched WATCH").isNull();
            assertThat(a.get("tx:w")).isEqualTo("1");

            // EXPIRE by another client touches it too
            a.watch("tx:w");
            b.expire("tx:w", 100);
            t = a.multi();
            t.set("tx:w", "mine");
            assertThat(t.exec()).isNull();

            // an untouched watch lets EXEC run, and EXEC unwatched: a later change does not matter
            a.watch("tx:w");
            t = a.multi();
            t.set("tx:w", "mine");
            assertThat(t.exec()).containsExactly("OK");
            b.set("tx:w", "theirs");
            t = a.multi();
            t.get("tx:w");
            assertThat(t.exec()).containsExactly("theirs");
        }
    }

    @Test
    void aWatchedCollectionTouchedByDeleteOrFlushAborts() {
        try (Jedis a = jedis(); Jedis b = jedis()) {
            a.select(3);
            b.select(3);
            a.set("tx:f", "1");
            a.watch("tx:f", "tx:absent");
            b.flushDB();
            Transaction t = a.multi();
            t.exists("tx:absent");
            assertThat(t.exec()).as("FLUSHDB removed a watched key").isNull();

            a.watch("tx:absent");
            b.flushDB();
            t = a.multi();
            t.exists("tx:absent");
            assertThat(t.exec()).as("FLUSHDB cannot touch a key that did not exist").containsExactly(false);
        }
    }

    @Test
    void aWatchedKeyThatExpiresBeforeExecAborts() {
        try (Jedis a = jedis()) {
            a.set("tx:e", "1", redis.clients.jedis.params.SetParams.setParams().px(150));
            long deadline = System.currentTimeMillis() + 150;
            a.watch("tx:e");
            await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > deadline + 20);
            Transaction t = a.multi();
            t.set("tx:e", "2");
            assertThat(t.exec()).isNull();
            assertThat(a.exists("tx:e")).isFalse();
        }
    }

    @Test
    void nullReplyIsStarMinusOneInResp2AndUnderscoreInResp3() throws Exception {
        try (Jedis other = jedis(); Socket s = new Socket("127.0.0.1", listener.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            other.set("tx:raw", "1");
            out.write("WATCH tx:raw\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("+OK");
            other.set("tx:raw", "2");
            out.write("MULTI\r\nGET tx:raw\r\nEXEC\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(List.of(in.readLine(), in.readLine(), in.readLine())).containsExactly("+OK", "+QUEUED", "*-1");

            out.write("HELLO 3\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
            for (String line = in.readLine(); !line.equals("+PONG"); line = in.readLine()) {
                assertThat(line).isNotNull();
            }
            out.write("WATCH tx:raw\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("+OK");
            other.del("tx:raw");
            out.write("MULTI\r\nGET tx:raw\r\nEXEC\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(List.of(in.readLine(), in.readLine(), in.readLine())).containsExactly("+OK", "+QUEUED", "_");
        }
    }

    @Test
    void lettuceOverResp3SeesDiscardedAndCommittedTransactions() {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", listener.port()));
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP3).build());
        try (StatefulRedisConnection<String, String> c = client.connect(); Jedis other = jedis()) {
            RedisCommands<String, String> r = c.sync();
            r.set("tx:lettuce", "0");
            r.watch("tx:lettuce");
            other.incr("tx:lettuce");
            r.multi();
            r.incr("tx:lettuce");
            TransactionResult aborted = r.exec();
            assertThat(aborted.wasDiscarded()).isTrue();

            r.multi();
            r.incr("tx:lettuce");
            r.get("tx:lettuce");
            TransactionResult done = r.exec();
            assertThat(done.wasDiscarded()).isFalse();
            assertThat((Long) done.get(0)).isEqualTo(2L);
            assertThat((String) done.get(1)).isEqualTo("2");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void clientListShowsTheOpenTransactionAndTheDirtyWatch() {
        try (Jedis a = jedis(); Jedis b = jedis()) {
            a.clientSetname("txlist");
            a.set("tx:cl", "1");
            a.watch("tx:cl");
            b.set("tx:cl", "2");
            assertThat(line(b.clientList(), "txlist")).contains(" flags=d ").contains(" multi=-1 ");
            a.sendCommand(Protocol.Command.MULTI);
            a.sendCommand(Protocol.Command.PING);
            a.sendCommand(Protocol.Command.PING);
            assertThat(line(b.clientList(), "txlist")).contains(" flags=xd ").contains(" multi=2 ");
            assertThat(a.sendCommand(Protocol.Command.EXEC)).isNull();
            assertThat(line(b.clientList(), "txlist")).contains(" flags=N ").contains(" multi=-1 ");
        }
    }

    @Test
    void slowCommandsAndFlushesRunInsideExec() {
        try (Jedis j = jedis()) {
            j.select(4);
            j.flushDB();
            Transaction t = j.multi();
            t.set("tx:slow", "1");
            Response<java.util.Set<String>> keys = t.keys("*");
            t.sendCommand(Protocol.Command.FLUSHDB, new String[0]);
            Response<Object> size = t.sendCommand(Protocol.Command.DBSIZE, new String[0]);
            t.exec();
            assertThat(keys.get()).containsExactly("tx:slow");
            assertThat(size.get()).isEqualTo(0L);
        }
    }

    @Test
    void watchedIncrementsFromManyClientsNeverLoseAnUpdate() throws Exception {
        int threads = 4;
        int attempts = 150;
        try (Jedis setup = jedis()) {
            setup.set("tx:counter", "0");
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    int committed = 0;
                    int aborted = 0;
                    try (Jedis j = jedis()) {
                        for (int n = 0; n < attempts; n++) {
                            j.watch("tx:counter");
                            long v = Long.parseLong(j.get("tx:counter"));
                            Transaction t = j.multi();
                            t.set("tx:counter", Long.toString(v + 1));
                            if (t.exec() != null) {
                                committed++;
                            } else {
                                aborted++;
                            }
                        }
                    }
                    return new int[] {committed, aborted};
                }));
            }
            int committed = 0;
            int aborted = 0;
            for (Future<int[]> f : results) {
                int[] r = f.get(2, TimeUnit.MINUTES);
                committed += r[0];
                aborted += r[1];
            }
            try (Jedis j = jedis()) {
                assertThat(Long.parseLong(j.get("tx:counter"))).as("%d committed, %d aborted", committed, aborted)
                        .isEqualTo(committed);
            }
            assertThat(committed).isPositive();
            assertThat(committed + aborted).isEqualTo(threads * attempts);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void noClientObservesHalfOfAnExec() throws Exception {
        int readers = 3;
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
        try {
            Future<Integer> writer = pool.submit(() -> {
                try (Jedis j = jedis()) {
                    for (int i = 1; i <= 3000; i++) {
                        Transaction t = j.multi();
                        t.set("tx:{pair}a", Integer.toString(i));
                        t.set("tx:{pair}b", Integer.toString(i));
                        t.exec();
                    }
                    return 3000;
                } finally {
                    writing.set(false);
                }
            });
            List<Future<List<String>>> seen = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                seen.add(pool.submit(() -> {
                    List<String> torn = new ArrayList<>();
                    int reads = 0;
                    try (Jedis j = jedis()) {
                        while (writing.get() || reads < 10) {
                            List<String> ab = j.mget("tx:{pair}a", "tx:{pair}b");
                            reads++;
                            if (!java.util.Objects.equals(ab.get(0), ab.get(1))) {
                                torn.add(ab.toString());
                            }
                        }
                    }
                    return torn;
                }));
            }
            assertThat(writer.get(2, TimeUnit.MINUTES)).isEqualTo(3000);
            for (Future<List<String>> f : seen) {
                assertThat(f.get(1, TimeUnit.MINUTES)).as("MGET replies that saw half an EXEC").isEmpty();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static String line(String clientList, String name) {
        for (String l : clientList.split("\n")) {
            if (l.contains(" name=" + name + " ")) {
                return l;
            }
        }
        throw new AssertionError("no client named " + name + " in " + clientList);
    }

    private static byte[] ok() {
        return bytes("OK");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
