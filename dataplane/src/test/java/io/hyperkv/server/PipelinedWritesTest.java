package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Pipelined string writes, which an event loop commits as one RocksDB batch per read burst, through real clients on
 * several connections (spread over the server's event loops): no increment is lost, every reply is in order, and a
 * connection reads its own writes inside the same pipeline.
 */
@QuarkusTest
class PipelinedWritesTest {

    @Inject
    RespListener listener;

    private Jedis jedis() {
        return new Jedis("127.0.0.1", listener.port());
    }

    @Test
    void pipelinedIncrementsFromManyConnectionsAllCount() throws Exception {
        int clients = 6;
        int rounds = 200;
        int perPipeline = 16;
        try (Jedis j = jedis()) {
            j.set("pw:n", "0");
        }
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    try (Jedis j = jedis()) {
                        for (int r = 0; r < rounds; r++) {
                            Pipeline p = j.pipelined();
                            List<Response<Long>> incrs = new ArrayList<>();
                            List<Response<String>> own = new ArrayList<>();
                            for (int i = 0; i < perPipeline; i++) {
                                incrs.add(p.incr("pw:n"));
                                // a key of this client only: its value must be the one just set, in the same pipeline
                                p.set("pw:own:" + client, r + ":" + i);
                                own.add(p.get("pw:own:" + client));
                            }
                            p.sync();
                            long previous = 0;
                            for (int i = 0; i < perPipeline; i++) {
                                long v = incrs.get(i).get();
                                assertThat(v).isGreaterThan(previous); // replies in order
                                previous = v;
                                assertThat(own.get(i).get()).isEqualTo(r + ":" + i);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Jedis j = jedis()) {
            assertThat(j.get("pw:n")).isEqualTo(Long.toString((long) clients * rounds * perPipeline));
        }
    }
}
