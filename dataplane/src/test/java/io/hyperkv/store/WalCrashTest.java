package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL a writer process in the middle of its writes and reopen its data: every write whose
 * {@code durable()} had completed must be there, under each appendfsync policy (a killed process
 * keeps the page cache, so even {@code no} loses nothing acknowledged; only a machine crash tells
 * the policies apart, which a test cannot cause).
 */
class WalCrashTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"always", "everysec", "no"})
    void everyAcknowledgedWriteSurvivesSigkill(String policy) throws Exception {
        Path data = dir.resolve(policy);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashWriter.class.getName(), data.toString(), policy)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        AtomicLong acked = new AtomicLong(-1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("ack ")) {
                        acked.set(Long.parseLong(line.substring(4)));
                    }
                }
            } catch (Exception e) {
                // the pipe breaks when the process is killed
            }
        });
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.get() >= 2000);
        } finally {
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no final flush
            p.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        long last = acked.get();
        try (Engine e = RocksDbEngine.open(EngineOptions.of(data, Fsync.NO))) {
            long missing = 0;
            for (long i = 0; i <= last; i++) {
                if (e.get(ColumnFamily.META, ("key" + i).getBytes(StandardCharsets.US_ASCII)) == null) {
                    missing++;
                }
            }
            System.out.printf("appendfsync %s: %d writes acknowledged before SIGKILL, %d missing after restart%n",
                    policy, last + 1, missing);
            assertThat(missing).isZero();
        }
    }
}
