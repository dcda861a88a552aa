package io.hyperkv.command;

import java.util.List;
import java.util.Set;

/**
 * One row of the command table: what {@code COMMAND INFO} reports and what dispatch checks before
 * a handler runs. Arity follows Redis: positive = exactly that many arguments including the name,
 * negative = at least {@code -arity}. Key positions are 1-based, {@code lastKey} -1 means "to the
 * end"; a container command (CONFIG, CLIENT, OBJECT...) has subcommands and no handler of its own.
 */
public record CommandSpec(
        String name,
        int arity,
        Set<CommandFlag> flags,
        int firstKey,
        int lastKey,
        int step,
        Set<String> aclCategories,
        CommandHandler handler,
        List<CommandSpec> subcommands) {

    public CommandSpec {
        name = name.toLowerCase(java.util.Locale.ROOT);
        flags = Set.copyOf(flags);
        aclCategories = Set.copyOf(aclCategories);
        subcommands = List.copyOf(subcommands);
    }

    public boolean has(CommandFlag flag) {
        return flags.contains(flag);
    }

    /** True when {@code argc} (name included) satisfies this command's arity. */
    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }
}
