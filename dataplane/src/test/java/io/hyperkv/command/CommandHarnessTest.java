package io.hyperkv.command;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Gives each handler test a fresh {@link CommandHarness} on its own RocksDB directory, closed after the test. */
abstract class CommandHarnessTest {

    @TempDir
    Path dir;
    CommandHarness h;

    @BeforeEach
    void openHarness() {
        h = new CommandHarness(dir);
    }

    @AfterEach
    void closeHarness() {
        h.close();
    }
}
