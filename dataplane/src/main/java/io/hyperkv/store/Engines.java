package io.hyperkv.store;

import java.util.Locale;

/**
 * Opens the engine named by {@code hyperkv.engine}. Only {@code rocksdb} exists today; the
 * in-memory engine of DESIGN.md §6 is refused with a message that says so, rather than silently
 * falling back to disk.
 */
public final class Engines {

    private Engines() {
    }

    /** @throws IllegalArgumentException for {@code memory} or an unknown name, with a message fit for the operator. */
    public static Engine open(String engineName, EngineOptions options) {
        String name = engineName == null ? "rocksdb" : engineName.trim().toLowerCase(Locale.ROOT);
        switch (name) {
            case "rocksdb":
                return RocksDbEngine.open(options);
            case "memory":
                throw new IllegalArgumentException("hyperkv.engine=memory is not available in this version;"
                        + " use hyperkv.engine=rocksdb (the default)");
            default:
                throw new IllegalArgumentException("unknown hyperkv.engine '" + engineName
                        + "': expected rocksdb (memory is not available yet)");
        }
    }
}
