package io.hyperkv.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import redis.clients.jedis.Jedis;

/**
 * One HyperKV node running the packaged application ({@code target/quarkus-app/quarkus-run.jar},
 * path in system property {@code hyperkv.server.jar}) as a separate JVM, for tests that need a real
 * process: SIGKILL, restart on the same data, redis-cli/redis-benchmark, several nodes.
 *
 * <p>Unless the properties fix them, both ports are 0 on the first start (free ports chosen by the
 * node) and read back from its log, so parallel runs never collide; every {@link #restart()} then
 * asks for the same ports again, as a cluster member must keep its address. The data directory is a
 * fresh temporary one, kept across restarts; {@link #close()} kills the process if it still runs
 * (continuing it first if it was stopped) and deletes what this object created. Use it in
 * try-with-resources or an {@code @AfterEach}. Configuration goes in as {@code -D} properties or, as
 * in a Kubernetes pod, as environment variables.
 */
public final class ServerProcess implements AutoCloseable {

    private static final Pattern RESP_PORT = Pattern.compile("HyperKV RESP listening on \\S+ port (\\d+)");
    private static final Pattern HTTP_PORT = Pattern.compile("Listening on: http://[^\\s:]+:(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path workDir;
    private final Path dataDir;
    private final Map<String, String> properties;
    private final Map<String, String> environment;
    private Process process;
    private Path log;
    private int starts;
    private int respPort = -1;
    private int httpPort = -1;

    private ServerProcess(Map<String, String> properties, Map<String, String> environment) {
        try {
            this.workDir = Files.createTempDirectory("hyperkv-node-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.dataDir = workDir.resolve("data");
        this.properties = properties;
        this.environment = environment;
        NodeLogs.opened(this);
    }

    /** Starts a node with the given {@code hyperkv.*}/{@code quarkus.*} properties and waits until it answers PING. */
    public static ServerProcess start(Map<String, String> properties) {
        return start(properties, Map.of());
    }

    /** Like {@link #start(Map)}, with {@code HYPERKV_*}-style environment variables added to the process's. */
    public static ServerProcess start(Map<String, String> properties, Map<String, String> environment) {
        ServerProcess node = new ServerProcess(new LinkedHashMap<>(properties), Map.copyOf(environment));
        try {
            node.launch();
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    public static ServerProcess start() {
        return start(Map.of());
    }

    private void launch() {
        String jar = System.getProperty("hyperkv.server.jar", "target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("packaged server not found at " + jar + " (run mvn package first)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Dhyperkv.port=0");
        cmd.add("-Dquarkus.http.port=0");
        cmd.add("-Dquarkus.http.host=127.0.0.1");
        cmd.add("-Dhyperkv.data-dir=" + dataDir);
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-jar");
        cmd.add(jar);
        starts++;
        log = workDir.resolve("node-" + starts + ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        await("HyperKV node to log its ports (log " + log + ")").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    failIfExited();
                    String text = log();
                    Matcher resp = RESP_PORT.matcher(text);
                    Matcher http = HTTP_PORT.matcher(text);
                    if (resp.find() && http.find()) {
                        respPort = Integer.parseInt(resp.group(1));
                        httpPort = Integer.parseInt(http.group(1));
                        return true;
                    }
                    return false;
                });
        await("HyperKV node to answer PING").atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    failIfExited();
                    try (Jedis jedis = new Jedis("127.0.0.1", respPort)) {
                        String pass = properties.get("hyperkv.requirepass");
                        if (pass != null) {
                            jedis.auth(pass);
                        }
                        return "PONG".equals(jedis.ping());
                    } catch (redis.clients.jedis.exceptions.JedisException notYet) {
                        return false;
                    }
                });
        // Restarts come back on the same ports: peers and clients know this node by its address.
        properties.put("hyperkv.port", Integer.toString(respPort));
        properties.put("quarkus.http.port", Integer.toString(httpPort));
    }

    private void failIfExited() {
        if (!process.isAlive()) {
            throw new StartFailure(process.exitValue(), log());
        }
    }

    /** Which listening port a start that failed with "Address already in use" could not bind. */
    public enum Listener {
        RESP,
        HTTP,
        BUS
    }

    /** The node process exited while starting; carries its log. */
    public static final class StartFailure extends IllegalStateException {

        private final String log;

        StartFailure(int exitCode, String log) {
            super("node exited with " + exitCode + ":\n" + log);
            this.log = log;
        }

        public String log() {
            return log;
        }

        /** Whether the node failed to bind one of its ports because another socket holds it. */
        public boolean portInUse() {
            return log.contains("Address already in use");
        }

        /**
         * The listener that could not bind its port, from what the node logged: the HTTP server says so; the RESP
         * listener binds before the cluster bus and logs its port once bound. Empty unless {@link #portInUse()}.
         */
        public java.util.Optional<Listener> listenerInUse() {
            if (!portInUse()) {
                return java.util.Optional.empty();
            }
            if (log.contains("Unable to start HTTP server")) {
                return java.util.Optional.of(Listener.HTTP);
            }
            if (RESP_PORT.matcher(log).find() && !log.contains("HyperKV cluster bus listening")) {
                return java.util.Optional.of(Listener.BUS);
            }
            return java.util.Optional.of(Listener.RESP);
        }
    }

    public int respPort() {
        return respPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public Path dataDir() {
        return dataDir;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** Everything the current (or last) process wrote to stdout and stderr. */
    public String log() {
        try {
            return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Resident set size of the node process, from /proc (Linux). */
    public long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no VmRSS for pid " + pid());
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed; what survives is what was durable. */
    public void kill() {
        if (alive()) {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(30));
        }
        respPort = -1;
    }

    /** SIGTERM and wait for the graceful shutdown; falls back to SIGKILL after the timeout. Returns the exit code. */
    public int stop(Duration timeout) {
        if (alive()) {
            process.destroy();
            if (!waitForExit(timeout)) {
                process.destroyForcibly();
                waitForExit(Duration.ofSeconds(30));
            }
        }
        respPort = -1;
        return process.exitValue();
    }

    /**
     * SIGSTOP: the process freezes (no thread runs, sockets stay open, peers see silence) until
     * {@link #resume()}.
     */
    public void pause() {
        signal("STOP");
        // kill returns once the signal is queued; wait until every thread has stopped (state T in /proc)
        await("node " + pid() + " to be stopped").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(5))
                .ignoreExceptions().until(() -> {
                    String stat = Files.readString(Path.of("/proc", Long.toString(pid()), "stat"));
                    return stat.charAt(stat.lastIndexOf(')') + 2) == 'T';
                });
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        if (!alive()) {
            throw new IllegalStateException("node is not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a new process on the same data directory and the same ports. */
    public void restart() {
        if (alive()) {
            throw new IllegalStateException("stop or kill the node before restarting it");
        }
        launch();
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Which node this is, for reports: its RESP port, pid and log file. */
    String describe() {
        return "node (RESP port " + properties.getOrDefault("hyperkv.port", "?") + ", pid "
                + (process == null ? "-" : Long.toString(process.pid())) + ", log " + log + ")";
    }

    @Override
    public void close() {
        NodeLogs.closing(this, describe());
        if (alive()) {
            // A stopped process dies of SIGKILL too; continuing it first lets its JVM exit the usual way.
            try {
                resume();
            } catch (RuntimeException ignored) {
                // it exited meanwhile
            }
        }
        kill();
        try (Stream<Path> files = Files.walk(workDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // Best effort: a leftover temp dir must not fail the test that already has its verdict.
        }
    }
}
