package io.hyperkv.command;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Fluent construction of {@link CommandSpec}s, so a family's table reads like Redis's command JSON. */
public final class SpecBuilder {

    private final String name;
    private final int arity;
    private final Set<CommandFlag> flags = EnumSet.noneOf(CommandFlag.class);
    private int firstKey;
    private int lastKey;
    private int step;
    private final Set<String> acl = new LinkedHashSet<>();
    private CommandHandler handler;
    private CommandSpec.KeyFinder keyFinder;
    private final List<CommandSpec> subcommands = new ArrayList<>();

    private SpecBuilder(String name, int arity) {
        this.name = name;
        this.arity = arity;
    }

    public static SpecBuilder command(String name, int arity) {
        return new SpecBuilder(name, arity);
    }

    public SpecBuilder flags(CommandFlag... f) {
        flags.addAll(List.of(f));
        return this;
    }

    public SpecBuilder keys(int first, int last, int step) {
        this.firstKey = first;
        this.lastKey = last;
        this.step = step;
        return this;
    }

    /** For commands whose key positions depend on their arguments (numkeys, trailing timeout). */
    public SpecBuilder keyFinder(CommandSpec.KeyFinder finder) {
        this.keyFinder = finder;
        return this;
    }

    /** ACL categories without the {@code @}, e.g. {@code "read", "string", "fast"}. */
    public SpecBuilder acl(String... categories) {
        for (String c : categories) {
            acl.add(c.startsWith("@") ? c : "@" + c);
        }
        return this;
    }

    public SpecBuilder handler(CommandHandler h) {
        this.handler = h;
        return this;
    }

    public SpecBuilder sub(CommandSpec s) {
        subcommands.add(s);
        return this;
    }

    public CommandSpec build() {
        return new CommandSpec(name, arity, flags, firstKey, lastKey, step, acl, handler, subcommands, keyFinder);
    }
}
