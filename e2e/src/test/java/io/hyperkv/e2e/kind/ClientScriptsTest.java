package io.hyperkv.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hyperkv.e2e.kind.CounterLoad.WriteTally;

/**
 * The shell scripts the kind suite runs in its client Jobs, run here with POSIX sh and Debian's redis-cli against
 * a real redis-server on loopback: the counting that "no acknowledged write lost" rests on is itself checked,
 * including that the check fails when a write is lost.
 */
class ClientScriptsTest {

    private static final String PASSWORD = "e2e-scripts";

    @TempDir
    static Path dataDir;

    private static Process redis;
    private static int port;

    @BeforeAll
    static void startRedis() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--requirepass", PASSWORD, "--dir", dataDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("redis.log").toFile())
                .start();
        await("redis-server answers").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> sh("redis-cli -p \"$PORT\" PING", Map.of(), dataDir).trim().equals("PONG"));
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        if (redis != null) {
            redis.destroy();
            if (!redis.waitFor(10, TimeUnit.SECONDS)) {
                redis.destroyForcibly();
            }
        }
    }

    @Test
    void writerCountsEveryAcknowledgedIncrAndTheCheckAcceptsTheCounters(@TempDir Path work) throws Exception {
        WriteTally tally = WriteTally.parse(sh(CounterLoad.WRITER,
                Map.of("HOST", "127.0.0.1", "PREFIX", "ok", "KEYS", "3", "MAX_SECONDS", "2"), work));

        assertThat(tally.attempted()).isPositive();
        assertThat(tally.failed()).isEmpty();
        assertThat(tally.totalAcked()).isEqualTo(tally.attempted());
        tally.assertAccountsFor("ok", 3, readBack("ok", 3, work));
    }

    @Test
    void theCheckFailsWhenAnAcknowledgedIncrIsMissing(@TempDir Path work) throws Exception {
        WriteTally tally = WriteTally.parse(sh(CounterLoad.WRITER,
                Map.of("HOST", "127.0.0.1", "PREFIX", "lost", "KEYS", "2", "MAX_SECONDS", "1"), work));

        sh("redis-cli -p \"$PORT\" DECR lost:1", Map.of(), work);

        Map<String, String> values = readBack("lost", 2, work);
        assertThatThrownBy(() -> tally.assertAccountsFor("lost", 2, values))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("lost:1");
    }

    @Test
    void incrsThatGetNoReplyCountAsUnacknowledged(@TempDir Path work) throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(Map.of("HOST", "127.0.0.1", "PREFIX", "down", "KEYS", "2",
                "MAX_SECONDS", "1"));
        env.put("PORT", Integer.toString(closedPort));

        WriteTally tally = WriteTally.parse(sh(CounterLoad.WRITER, env, work));

        assertThat(tally.acked()).isEmpty();
        assertThat(tally.failed().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(tally.attempted());
    }

    @Test
    void seedAndCheckScriptsFindEveryKeyAndReportAChangedOne(@TempDir Path work) throws Exception {
        Map<String, String> env = Map.of("HOST", "127.0.0.1", "PREFIX", "seed", "COUNT", "120");

        assertThat(sh(ScalingE2ETest.SEED, env, work)).contains("ok 120");
        assertThat(sh(ScalingE2ETest.CHECK, env, work)).contains("read 120 wrong 0");

        sh("redis-cli -p \"$PORT\" SET seed:7 changed", Map.of(), work);
        assertThat(sh(ScalingE2ETest.CHECK, env, work)).contains("mismatch seed:7 'changed'").contains("wrong 1");
    }

    private static Map<String, String> readBack(String prefix, int keys, Path work) throws Exception {
        String out = sh(CounterLoad.READER, Map.of("HOSTS", "127.0.0.1", "PREFIX", prefix, "KEYS", Integer.toString(keys)), work);
        return CounterLoad.parseReads(out).get("127.0.0.1");
    }

    /** Runs a script with sh in {@code work}, the redis password and port in its environment; returns stdout. */
    private static String sh(String script, Map<String, String> env, Path work) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("sh", "-c", script).directory(work.toFile());
        builder.environment().put("REDISCLI_AUTH", PASSWORD);
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().putAll(env);
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("script did not finish in 60 s:\n" + script);
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
