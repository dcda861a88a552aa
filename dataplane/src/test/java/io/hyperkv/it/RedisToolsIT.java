package io.hyperkv.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real redis-cli and redis-benchmark binaries (Debian redis-tools) work against a packaged node. */
class RedisToolsIT {

    private static ServerProcess node;

    @BeforeAll
    static void startNode() {
        node = ServerProcess.start();
    }

    @AfterAll
    static void stopNode() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void redisCliRunsCommandsAndPrintsRedisShapedReplies() throws Exception {
        assertThat(cli("PING")).isEqualTo("PONG\n");
        assertThat(cli("SET", "tools:greeting", "hello world")).isEqualTo("OK\n");
        assertThat(cli("GET", "tools:greeting")).isEqualTo("hello world\n");
        assertThat(cli("GET", "tools:missing")).isEqualTo("\n");
        assertThat(cli("ECHO", "é")).isEqualTo("é\n");
        // redis-cli prints an error reply followed by an empty line, for redis-server too.
        assertThat(cli("CLIENT", "SETNAME", "x y")).isEqualTo(
                "ERR Client names cannot contain spaces, newlines or special characters.\n\n");
        assertThat(cli("NOSUCHCOMMAND", "a")).startsWith("ERR unknown command 'NOSUCHCOMMAND'");
        // RESP3 through redis-cli -3: HELLO's map arrives as one.
        assertThat(run(List.of("redis-cli", "-3", "-p", port(), "HELLO", "3"))).contains("proto").contains("3");
    }

    @Test
    void redisCliPipeModeLoadsManyCommands() throws Exception {
        StringBuilder input = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            input.append("SET pipe:").append(i).append(' ').append(i).append('\n');
        }
        String out = run(List.of("redis-cli", "-p", port(), "--pipe"), input.toString());
        assertThat(out).contains("errors: 0, replies: 1000");
        assertThat(cli("GET", "pipe:999")).isEqualTo("999\n");
    }

    @Test
    void redisBenchmarkCompletesEveryTestWithThroughput() throws Exception {
        String out = run(List.of("redis-benchmark", "-p", port(), "-q", "-n", "2000", "-c", "8", "-P", "4",
                "-t", "ping,set,get,incr", "-r", "1000"));
        Matcher m = Pattern.compile("([A-Z_]+)[^:\\r\\n]*: ([0-9.]+) requests per second").matcher(out.replace('\r', '\n'));
        List<String> tests = new ArrayList<>();
        while (m.find()) {
            assertThat(Double.parseDouble(m.group(2))).as(m.group(0)).isPositive();
            tests.add(m.group(1));
        }
        System.out.println("redis-benchmark against HyperKV:\n" + out);
        assertThat(tests).contains("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR");
        assertThat(out).doesNotContain("ERR").doesNotContain("Error");
        // The benchmark's SETs and INCRs on -r 1000 random keys really landed.
        assertThat(Long.parseLong(cli("DBSIZE").trim())).isGreaterThan(100);
    }

    private String port() {
        return Integer.toString(node.respPort());
    }

    private String cli(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", port()));
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    static String run(List<String> cmd) throws IOException, InterruptedException {
        return run(cmd, null);
    }

    static String run(List<String> cmd, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException(cmd + " did not finish");
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }
}
