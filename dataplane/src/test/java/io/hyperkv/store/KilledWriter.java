package io.hyperkv.store;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a writer's {@code main(dataDir, policy)} in its own JVM, reads the {@code ack N} lines it prints after each
 * write it saw durable, and SIGKILLs it once it acknowledged at least {@code atLeast}: no shutdown hook, no final flush.
 * The crash tests then reopen {@code dataDir} and look for every acknowledged write.
 */
final class KilledWriter {

    private KilledWriter() {
    }

    /** The last write the process acknowledged before it was killed. */
    static long runUntilKilled(Class<?> writer, Path dataDir, String policy, long atLeast) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), writer.getName(),
                dataDir.toString(), policy)
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
            await().atMost(Duration.ofSeconds(60)).until(() -> acked.get() >= atLeast);
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
            reader.join(10_000);
        }
        return acked.get();
    }
}
