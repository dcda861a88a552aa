package io.hyperkv.store;

import java.util.Locale;

/** When the write-ahead log reaches the disk, as Redis's {@code appendfsync}. */
public enum Fsync {
    /** Every acknowledged write is on disk: replies wait for a group fsync. */
    ALWAYS,
    /** A background fsync each second: a machine crash loses at most about one second. */
    EVERYSEC,
    /** The operating system decides; a process crash still loses nothing (the WAL is written on every write). */
    NO;

    public String redisName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code always|everysec|no} in any case; throws IllegalArgumentException otherwise. */
    public static Fsync parse(String text) {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "always": return ALWAYS;
            case "everysec": return EVERYSEC;
            case "no": return NO;
            default: throw new IllegalArgumentException("appendfsync must be one of always, everysec, no, not '" + text + "'");
        }
    }
}
