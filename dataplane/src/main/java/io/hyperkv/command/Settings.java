package io.hyperkv.command;

import io.hyperkv.store.Glob;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The run-time configuration that {@code CONFIG GET/SET} read and write, shared with the server
 * (which reads requirepass, maxclients and proto-max-bulk-len on every connection or frame). Only
 * options HyperKV really honours are listed; each validates like Redis and says so in Redis's words.
 *
 * <p>Values are strings as CONFIG shows them, read through volatile fields so any thread sees the
 * latest; a CONFIG SET of several options validates them all before applying any, then notifies
 * listeners (e.g. the engine's fsync policy).
 */
public final class Settings {

    /** One option: its name, whether CONFIG SET may change it, and how values are checked. */
    public static final class Option {
        private final String name;
        private final boolean mutable;
        private final Validator validator;
        private volatile String value;

        Option(String name, boolean mutable, Validator validator, String value) {
            this.name = name;
            this.mutable = mutable;
            this.validator = validator;
            this.value = value;
        }

        public String name() {
            return name;
        }

        public String value() {
            return value;
        }

        public boolean mutable() {
            return mutable;
        }
    }

    /** Returns the canonical value, or throws {@link IllegalArgumentException} with Redis's reason text. */
    @FunctionalInterface
    interface Validator {
        String check(String value);
    }

    private final Map<String, Option> options = new LinkedHashMap<>();
    private final List<BiConsumer<String, String>> listeners = new CopyOnWriteArrayList<>();

    /** The defaults of a node started with no configuration. */
    public Settings() {
        define("port", false, integer(0, 65535), "6379");
        define("bind", false, any(), "127.0.0.1");
        define("dir", false, any(), "");
        define("databases", false, integer(1, 254), "16");
        define("requirepass", true, any(), "");
        define("maxclients", true, integer(1, 4294967295L), "10000");
        define("proto-max-bulk-len", true, memory(1048576, Long.MAX_VALUE), "536870912");
        define("appendfsync", true, oneOf("everysec", "always", "no"), "everysec");
        // The WAL is always on: that is HyperKV's append-only file.
        define("appendonly", false, oneOf("yes", "no"), "yes");
        // No periodic snapshots: SAVE and BGSAVE make checkpoints on demand only.
        define("save", false, any(), "");
        // sorted sets: when OBJECT ENCODING says listpack or skiplist (Redis 7.2's thresholds)
        define("zset-max-listpack-entries", true, integer(0, Long.MAX_VALUE), "128");
        define("zset-max-listpack-value", true, memory(0, Long.MAX_VALUE), "64");
    }

    private void define(String name, boolean mutable, Validator validator, String value) {
        options.put(name, new Option(name, mutable, validator, value));
    }

    /**
     * Sets a value at start-up from the server's configuration, bypassing mutability (port, bind,
     * dir are fixed only for CONFIG SET). Throws IllegalArgumentException if the option is unknown or the value invalid.
     */
    public Settings initialize(String name, String value) {
        Option o = options.get(name);
        if (o == null) {
            throw new IllegalArgumentException("unknown option " + name);
        }
        o.value = o.validator.check(value);
        return this;
    }

    public String get(String name) {
        Option o = options.get(name.toLowerCase(Locale.ROOT));
        return o == null ? null : o.value;
    }

    public String requirepass() {
        return get("requirepass");
    }

    public long maxclients() {
        return Long.parseLong(get("maxclients"));
    }

    public long protoMaxBulkLen() {
        return Long.parseLong(get("proto-max-bulk-len"));
    }

    public String appendfsync() {
        return get("appendfsync");
    }

    public int databases() {
        return Integer.parseInt(get("databases"));
    }

    /** Called with (name, new value) after each CONFIG SET that changed an option. */
    public void onChange(BiConsumer<String, String> listener) {
        listeners.add(listener);
    }

    /** Options whose names match any of the glob patterns, in definition order (CONFIG GET). */
    public Map<String, String> matching(List<byte[]> patterns) {
        Map<String, String> out = new LinkedHashMap<>();
        for (byte[] pattern : patterns) {
            for (Option o : options.values()) {
                if (Glob.matches(pattern, o.name.getBytes(StandardCharsets.US_ASCII), true)) {
                    out.put(o.name, o.value);
                }
            }
        }
        return out;
    }

    /**
     * CONFIG SET of name/value pairs, all or nothing. Returns null on success or the error text
     * Redis would reply with.
     */
    public String set(List<String> namesAndValues) {
        List<Option> targets = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < namesAndValues.size(); i += 2) {
            String name = namesAndValues.get(i).toLowerCase(Locale.ROOT);
            Option o = options.get(name);
            if (o == null) {
                return "ERR Unknown option or number of arguments for CONFIG SET - '" + namesAndValues.get(i) + "'";
            }
            if (targets.contains(o)) {
                return failed(name, "duplicate parameter");
            }
            if (!o.mutable) {
                return failed(name, "can't set immutable config");
            }
            try {
                values.add(o.validator.check(namesAndValues.get(i + 1)));
            } catch (IllegalArgumentException e) {
                return failed(name, e.getMessage());
            }
            targets.add(o);
        }
        for (int i = 0; i < targets.size(); i++) {
            Option o = targets.get(i);
            String old = o.value;
            o.value = values.get(i);
            if (!old.equals(o.value)) {
                for (BiConsumer<String, String> l : listeners) {
                    l.accept(o.name, o.value);
                }
            }
        }
        return null;
    }

    private static String failed(String name, String reason) {
        return "ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + reason;
    }

    private static Validator any() {
        return v -> v;
    }

    private static Validator oneOf(String... allowed) {
        return v -> {
            for (String a : allowed) {
                if (a.equalsIgnoreCase(v)) {
                    return a;
                }
            }
            throw new IllegalArgumentException("argument(s) must be one of the following: " + String.join(", ", allowed));
        };
    }

    private static Validator integer(long min, long max) {
        return v -> {
            long n;
            try {
                n = Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("argument couldn't be parsed into an integer");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
            }
            return Long.toString(n);
        };
    }

    /** A byte count with Redis's memory units (1k = 1000, 1kb = 1024, ... up to gb). */
    private static Validator memory(long min, long max) {
        return v -> {
            String s = v.toLowerCase(Locale.ROOT);
            long unit = 1;
            String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"},
                {"m", "1000000"}, {"k", "1000"}, {"b", "1"}};
            for (String[] u : units) {
                if (s.endsWith(u[0])) {
                    unit = Long.parseLong(u[1]);
                    s = s.substring(0, s.length() - u[0].length());
                    break;
                }
            }
            long n;
            try {
                n = Math.multiplyExact(Long.parseLong(s), unit);
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("argument must be a memory value");
            }
            if (n < min || n > max) {
                throw new IllegalArgumentException("argument must be between " + min + " and " + max + " inclusive");
            }
            return Long.toString(n);
        };
    }
}
