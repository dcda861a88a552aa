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

    /** Adds a command; a second registration of the same name is a programming error. */
    public CommandTable register(CommandSpec spec) {
        if (byName.putIfAbsent(spec.name(), spec) != null) {
            throw new IllegalStateException("command registered twice: " + spec.name());
        }
        return this;
    }

    /** The command named by {@code name} in any letter case, or null. */
    public CommandSpec lookup(byte[] name) {
        // Command names are ASCII; lower-casing bytes avoids a String per lookup on the hot path
        // only when the client already sends lower case, which is the common case for libraries.
        return byName.get(lowerAscii(name));
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
