package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
        long last = KilledWriter.runUntilKilled(CrashWriter.class, data, policy, 2000);
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
