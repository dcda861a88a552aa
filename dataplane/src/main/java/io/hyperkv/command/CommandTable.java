package io.hyperkv.command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command table: every command the server knows, by lower-case name. Families register their
 * specs at start-up; after that the table is only read, so lookups need no locking. {@code COMMAND}
 * and dispatch both read this one table, so what a client is told is what the server does.
 */
public final class CommandTable {

    private final Map<String, CommandSpec> byName = new HashMap<>();
    /**
     * The same commands for {@link #lookup(byte[])}, which runs up to three times per command: open addressing over
     * the lower-case name bytes, hashed and compared ASCII-case-insensitively, so a lookup allocates nothing (turning
     * each name into a String was more than a quarter of the bytes a GET allocated). Rebuilt by {@link #register},
     * which only runs at start-up; at most a quarter full.
     */
    private CommandSpec[] index = new CommandSpec[0];
    private byte[][] indexNames = new byte[0][];

    /** Adds a command; a second registration of the same name is a programming error. */
    public CommandTable register(CommandSpec spec) {
        if (byName.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("command registered twice: " + spec.name());
        }
        reindex();
        return this;
    }

    private void reindex() {
        int size = Integer.highestOneBit(Math.max(16, byName.size() * 4) - 1) << 1;
        CommandSpec[] specs = new CommandSpec[size];
        byte[][] names = new byte[size][];
        for (CommandSpec spec : byName.values()) {
            byte[] name = spec.name().getBytes(StandardCharsets.US_ASCII);
            int i = foldedHash(name) & (size - 1);
            while (specs[i] != null) {
                i = (i + 1) & (size - 1);
            }
            specs[i] = spec;
            names[i] = name;
        }
        index = specs;
        indexNames = names;
    }

    /** The command named by {@code name} in any letter case, or null. Allocates nothing. */
    public CommandSpec lookup(byte[] name) {
        CommandSpec[] specs = index;
        byte[][] names = indexNames;
        int mask = specs.length - 1;
        for (int i = foldedHash(name) & mask; specs[i] != null; i = (i + 1) & mask) {
            if (equalsFolded(names[i], name)) {
                return specs[i];
            }
        }
        return null;
    }

    private static int foldedHash(byte[] name) {
        int h = 0;
        for (byte b : name) {
            h = 31 * h + lower(b);
        }
        return h ^ (h >>> 16);
    }

    /** Whether {@code name} is {@code lowerName} in any ASCII letter case. */
    private static boolean equalsFolded(byte[] lowerName, byte[] name) {
        if (lowerName.length != name.length) {
            return false;
        }
        for (int i = 0; i < name.length; i++) {
            if (lower(name[i]) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    private static int lower(byte b) {
        return b >= 'A' && b <= 'Z' ? b + 32 : b;
    }

    public CommandSpec lookup(String name) {
        return byName.get(name.toLowerCase(Locale.ROOT));
    }

    /** The subcommand of {@code container} named by {@code name}, or null. */
    public static CommandSpec subcommand(CommandSpec container, byte[] name) {
        String wanted = container.name() + "|" + lowerAscii(name);
        for (CommandSpec sub : container.subcommands()) {
            if (sub.name().equals(wanted)) {
                return sub;
            }
        }
        return null;
    }

    public Collection<CommandSpec> all() {
        return Collections.unmodifiableCollection(byName.values());
    }

    public int size() {
        return byName.size();
    }

    public List<String> names() {
        List<String> names = new ArrayList<>(byName.keySet());
        Collections.sort(names);
        return names;
    }

    static String lowerAscii(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int b = bytes[i] & 0xFF;
            chars[i] = (char) (b >= 'A' && b <= 'Z' ? b + 32 : b);
        }
        return new String(chars);
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
