package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.util.KeyValue;

/**
 * Blocking list pops over real sockets: woken by another client's push, timing out with the null
 * of the connection's protocol, served oldest first, BLMOVE, CLIENT UNBLOCK, disconnects, and many
 * blocked clients not stalling anybody else. Every wait is an Awaitility bound, never a sleep; no
 * assertion is about how fast anything was.
 */
@QuarkusTest
class BlockingPopTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Inject
    RespListener listener;

    private Jedis jedis() {
        return new Jedis("127.0.0.1", listener.port(), 20_000);
    }

    /** True once CLIENT LIST shows client {@code id} with the blocked flag. */
    private boolean isBlocked(Jedis observer, long id) {
        String line = observer.clientList().lines().filter(l -> l.startsWith("id=" + id + " ")).findFirst().orElse("");
        return line.matches(".* flags=\\w*b\\w* .*");
    }

    private static long id(RawResp c) throws Exception {
        String reply = c.call("CLIENT", "ID");
        return Long.parseLong(reply.substring(1).trim());
    }

    @Test
    void blpopIsWokenByAnLpushFromAnotherJedisClient() throws Exception {
        try (Jedis waiter = jedis(); Jedis pusher = jedis()) {
            waiter.select(3);
            pusher.select(3);
            pusher.del("jq");
            long waiterId = waiter.clientId();
            CompletableFuture<KeyValue<String, String>> popped = CompletableFuture.supplyAsync(() -> waiter.blpop(0.0, "jq"));
            await().atMost(BOUND).until(() -> isBlocked(pusher, waiterId));
            assertThat(popped).isNotDone();
            assertThat(pusher.lpush("jq", "hello")).isEqualTo(1);
            KeyValue<String, String> kv = popped.get(10, TimeUnit.SECONDS);
            assertThat(kv.getKey()).isEqualTo("jq");
            assertThat(kv.getValue()).isEqualTo("hello");
            assertThat(pusher.exists("jq")).as("the pop removed the only element").isFalse();
            assertThat(isBlocked(pusher, waiterId)).isFalse();
            assertThat(waiter.ping()).as("the connection is usable after its block").isEqualTo("PONG");
        }
    }

    @Test
    void blpopIsWokenOverRawResp() throws Exception {
        try (RawResp waiter = new RawResp(listener.port()); RawResp pusher = new RawResp(listener.port());
                Jedis observer = jedis()) {
            pusher.call("DEL", "rq");
            long id = id(waiter);
            waiter.send("BLPOP", "rq-other", "rq", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, id));
            assertThat(waiter.poll(50)).as("nothing before the push").isNull();
            assertThat(pusher.call("RPUSH", "rq", "v1", "v2")).isEqualTo(":2\r\n");
            assertThat(waiter.read()).isEqualTo("*2\r\n$2\r\nrq\r\n$2\r\nv1\r\n");
            assertThat(pusher.call("LRANGE", "rq", "0", "-1")).isEqualTo("*1\r\n$2\r\nv2\r\n");
        }
    }

    @Test
    void aTimedOutBlpopAnswersTheNullOfItsProtocol() throws Exception {
        try (RawResp resp2 = new RawResp(listener.port()); RawResp resp3 = new RawResp(listener.port())) {
            resp2.send("BLPOP", "never-pushed", "0.2");
            await().atMost(BOUND).until(() -> "*-1\r\n".equals(resp2.poll(100)));
            resp3.call("HELLO", "3");
            resp3.send("BRPOP", "never-pushed", "0.2");
            await().atMost(BOUND).until(() -> "_\r\n".equals(resp3.poll(100)));
            resp3.send("BLMOVE", "never-pushed", "dst", "LEFT", "LEFT", "0.1");
            await().atMost(BOUND).until(() -> "_\r\n".equals(resp3.poll(100)));
            resp2.send("BLMOVE", "never-pushed", "dst", "LEFT", "LEFT", "0.1");
            await().atMost(BOUND).until(() -> "$-1\r\n".equals(resp2.poll(100)));
            assertThat(resp2.call("PING")).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void waitersAreServedOldestFirstAndOnePushOfTwoServesTwo() throws Exception {
        try (RawResp first = new RawResp(listener.port()); RawResp second = new RawResp(listener.port());
                RawResp pusher = new RawResp(listener.port()); Jedis observer = jedis()) {
            pusher.call("DEL", "fifo");
            long firstId = id(first);
            long secondId = id(second);
            first.send("BLPOP", "fifo", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, firstId));
            second.send("BLPOP", "fifo", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, secondId));

            pusher.call("LPUSH", "fifo", "one");
            assertThat(first.read()).isEqualTo("*2\r\n$4\r\nfifo\r\n$3\r\none\r\n");
            assertThat(second.poll(100)).as("the second waiter still waits").isNull();
            assertThat(isBlocked(observer, secondId)).isTrue();

            pusher.call("LPUSH", "fifo", "two");
            assertThat(second.read()).isEqualTo("*2\r\n$4\r\nfifo\r\n$3\r\ntwo\r\n");

            first.send("BLPOP", "fifo", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, firstId));
            second.send("BRPOP", "fifo", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, secondId));
            pusher.call("RPUSH", "fifo", "a", "b");
            assertThat(first.read()).isEqualTo("*2\r\n$4\r\nfifo\r\n$1\r\na\r\n");
            assertThat(second.read()).isEqualTo("*2\r\n$4\r\nfifo\r\n$1\r\nb\r\n");
            assertThat(pusher.call("EXISTS", "fifo")).isEqualTo(":0\r\n");
        }
    }

    @Test
    void blmoveWaitsForItsSourceAndMovesAtomically() throws Exception {
        try (Jedis waiter = jedis(); Jedis pusher = jedis()) {
            pusher.del("bm-src", "bm-dst");
            pusher.rpush("bm-dst", "old");
            long id = waiter.clientId();
            CompletableFuture<String> moved = CompletableFuture.supplyAsync(
                    () -> waiter.blmove("bm-src", "bm-dst", ListDirection.LEFT, ListDirection.RIGHT, 0));
            await().atMost(BOUND).until(() -> isBlocked(pusher, id));
            pusher.rpush("bm-src", "x", "y");
            assertThat(moved.get(10, TimeUnit.SECONDS)).isEqualTo("x");
            assertThat(pusher.lrange("bm-dst", 0, -1)).containsExactly("old", "x");
            assertThat(pusher.lrange("bm-src", 0, -1)).containsExactly("y");
            CompletableFuture<String> rpoplpush = CompletableFuture.supplyAsync(() -> waiter.brpoplpush("bm-none", "bm-dst", 0));
            await().atMost(BOUND).until(() -> isBlocked(pusher, id));
            pusher.lpush("bm-none", "z");
            assertThat(rpoplpush.get(10, TimeUnit.SECONDS)).isEqualTo("z");
            assertThat(pusher.lrange("bm-dst", 0, -1)).containsExactly("z", "old", "x");
        }
    }

    @Test
    void blmpopServesACountFromTheFirstListThatGetsElements() throws Exception {
        try (RawResp waiter = new RawResp(listener.port()); RawResp pusher = new RawResp(listener.port());
                Jedis observer = jedis()) {
            pusher.call("DEL", "mp1", "mp2");
            long id = id(waiter);
            waiter.send("BLMPOP", "0", "2", "mp1", "mp2", "RIGHT", "COUNT", "2");
            await().atMost(BOUND).until(() -> isBlocked(observer, id));
            pusher.call("RPUSH", "mp2", "a", "b", "c");
            assertThat(waiter.read()).isEqualTo("*2\r\n$3\r\nmp2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n");
        }
    }

    @Test
    void clientUnblockEndsABlockWithTimeoutOrError() throws Exception {
        try (RawResp waiter = new RawResp(listener.port()); RawResp admin = new RawResp(listener.port());
                Jedis observer = jedis()) {
            long id = id(waiter);
            assertThat(admin.call("CLIENT", "UNBLOCK", Long.toString(id))).as("not blocked").isEqualTo(":0\r\n");
            waiter.send("BLPOP", "ub", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, id));
            assertThat(admin.call("CLIENT", "UNBLOCK", Long.toString(id), "TIMEOUT")).isEqualTo(":1\r\n");
            assertThat(waiter.read()).isEqualTo("*-1\r\n");
            waiter.send("BLPOP", "ub", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, id));
            assertThat(admin.call("CLIENT", "UNBLOCK", Long.toString(id), "ERROR")).isEqualTo(":1\r\n");
            assertThat(waiter.read()).isEqualTo("-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n");
            assertThat(admin.call("CLIENT", "UNBLOCK", Long.toString(id), "MAYBE"))
                    .isEqualTo("-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n");
            assertThat(admin.call("CLIENT", "UNBLOCK", "x")).isEqualTo("-ERR value is not an integer or out of range\r\n");
            assertThat(waiter.call("PING")).isEqualTo("+PONG\r\n");
        }
    }

    @Test
    void commandsPipelinedBehindABlockedOneRunAfterIt() throws Exception {
        try (RawResp waiter = new RawResp(listener.port()); RawResp pusher = new RawResp(listener.port());
                Jedis observer = jedis()) {
            pusher.call("DEL", "pl", "pl-before");
            long id = id(waiter);
            waiter.pipeline(new String[] {"RPUSH", "pl-before", "1"}, new String[] {"BLPOP", "pl", "0"},
                    new String[] {"LLEN", "pl"}, new String[] {"ECHO", "after"});
            assertThat(waiter.read()).as("the reply before the block is sent").isEqualTo(":1\r\n");
            await().atMost(BOUND).until(() -> isBlocked(observer, id));
            assertThat(waiter.poll(50)).isNull();
            pusher.call("RPUSH", "pl", "v", "w");
            assertThat(waiter.read()).isEqualTo("*2\r\n$2\r\npl\r\n$1\r\nv\r\n");
            assertThat(waiter.read()).isEqualTo(":1\r\n");
            assertThat(waiter.read()).isEqualTo("$5\r\nafter\r\n");
        }
    }

    @Test
    void aKeyThatTurnsIntoAnotherTypeKeepsTheClientBlocked() throws Exception {
        try (RawResp waiter = new RawResp(listener.port()); RawResp other = new RawResp(listener.port());
                Jedis observer = jedis()) {
            other.call("DEL", "typed");
            long id = id(waiter);
            waiter.send("BLPOP", "typed", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, id));
            assertThat(other.call("SET", "typed", "string")).isEqualTo("+OK\r\n");
            assertThat(waiter.poll(100)).as("Redis keeps the client blocked on a key of another type").isNull();
            assertThat(isBlocked(observer, id)).isTrue();
            other.call("DEL", "typed");
            other.call("RPUSH", "typed", "now");
            assertThat(waiter.read()).isEqualTo("*2\r\n$5\r\ntyped\r\n$3\r\nnow\r\n");
        }
    }

    @Test
    void aBlockedClientThatDisconnectsIsForgotten() throws Exception {
        try (Jedis observer = jedis()) {
            observer.del("gone");
            long id;
            try (RawResp waiter = new RawResp(listener.port())) {
                id = id(waiter);
                waiter.send("BLPOP", "gone", "0");
                await().atMost(BOUND).until(() -> isBlocked(observer, id));
            }
            await().atMost(BOUND).until(() -> observer.clientList().lines().noneMatch(l -> l.startsWith("id=" + id + " ")));
            observer.rpush("gone", "kept");
            // a ghost waiter would have popped it; give any wrongly scheduled serve a chance to show
            assertThat(observer.lrange("gone", 0, -1)).containsExactly("kept");
            await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> observer.llen("gone") == 1);
        }
    }

    @Test
    void aKilledBlockedClientIsForgotten() throws Exception {
        try (RawResp waiter = new RawResp(listener.port()); Jedis observer = jedis()) {
            observer.del("killed");
            long id = id(waiter);
            waiter.send("BLPOP", "killed", "0");
            await().atMost(BOUND).until(() -> isBlocked(observer, id));
            assertThat(observer.clientKill(new redis.clients.jedis.params.ClientKillParams().id(Long.toString(id)))).isEqualTo(1);
            await().atMost(BOUND).until(() -> observer.clientList().lines().noneMatch(l -> l.startsWith("id=" + id + " ")));
            observer.rpush("killed", "kept");
            await().during(Duration.ofMillis(300)).atMost(BOUND).until(() -> observer.llen("killed") == 1);
        }
    }

    @Test
    void twoHundredBlockedClientsDoNotStallOtherClients() throws Exception {
        List<RawResp> waiters = new ArrayList<>();
        try (Jedis other = jedis()) {
            other.select(4);
            other.flushDB();
            int before = blockedClients(other);
            for (int i = 0; i < 200; i++) {
                RawResp w = new RawResp(listener.port());
                waiters.add(w);
                w.send("SELECT", "4");
                w.read();
                w.send("BLPOP", "many-" + (i % 20), "0");
            }
            await().atMost(BOUND).until(() -> blockedClients(other) >= before + 200);
            // the event loops that hold the blocked connections keep serving everybody else
            for (int i = 0; i < 200; i++) {
                assertThat(other.set("k" + i, "v" + i)).isEqualTo("OK");
                assertThat(other.get("k" + i)).isEqualTo("v" + i);
                assertThat(other.rpush("unrelated", "x")).isEqualTo(i + 1);
            }
            for (int k = 0; k < 20; k++) {
                String[] values = new String[10];
                java.util.Arrays.fill(values, "e" + k);
                other.rpush("many-" + k, values);
            }
            for (int i = 0; i < 200; i++) {
                String key = "many-" + (i % 20);
                assertThat(waiters.get(i).read()).isEqualTo("*2\r\n$" + key.length() + "\r\n" + key + "\r\n$"
                        + ("e" + (i % 20)).length() + "\r\ne" + (i % 20) + "\r\n");
            }
            await().atMost(BOUND).until(() -> blockedClients(other) == before);
            assertThat(other.dbSize()).isEqualTo(201);
        } finally {
            for (RawResp w : waiters) {
                w.close();
            }
        }
    }

    private static int blockedClients(Jedis j) {
        return j.info("clients").lines().filter(l -> l.startsWith("blocked_clients:")).findFirst()
                .map(l -> Integer.parseInt(l.substring("blocked_clients:".length()).trim())).orElseThrow();
    }
}
