package io.hyperkv.command;

import java.util.List;
import java.util.Set;

/**
 * One row of the command table: what {@code COMMAND INFO} reports and what dispatch checks before
 * a handler runs. Arity follows Redis: positive = exactly that many arguments including the name,
 * negative = at least {@code -arity}. Key positions are 1-based, {@code lastKey} -1 means "to the
 * end"; a container command (CONFIG, CLIENT, OBJECT...) has subcommands and no handler of its own.
 * A command whose keys move with its arguments (numkeys commands such as ZUNIONSTORE, SINTERCARD;
 * BLPOP's trailing timeout) has a {@link KeyFinder}; the positions above then describe what
 * {@code COMMAND INFO} shows, and {@link #keyPositions} asks the finder.
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
        List<CommandSpec> subcommands,
        KeyFinder keyFinder) {

    /** Where the keys of one invocation are, for commands whose key positions depend on their arguments. */
    @FunctionalInterface
    public interface KeyFinder {
        /**
         * 0-based indexes into {@code argv} (name at 0) of the keys, in argument order; empty when the
         * arguments are malformed (the handler reports the error). Never throws on any input.
         */
        int[] positions(byte[][] argv);
    }

    public CommandSpec(String name, int arity, Set<CommandFlag> flags, int firstKey, int lastKey, int step,
            Set<String> aclCategories, CommandHandler handler, List<CommandSpec> subcommands) {
        this(name, arity, flags, firstKey, lastKey, step, aclCategories, handler, subcommands, null);
    }

    public CommandSpec {
        name = name.toLowerCase(java.util.Locale.ROOT);
        flags = Set.copyOf(flags);
        aclCategories = Set.copyOf(aclCategories);
        subcommands = List.copyOf(subcommands);
    }

    public boolean has(CommandFlag flag) {
        return flags.contains(flag);
    }

    /** True when the key positions depend on the arguments (COMMAND INFO's {@code movablekeys}). */
    public boolean movableKeys() {
        return keyFinder != null;
    }

    /**
     * The 0-based indexes of the keys in {@code argv} (name at 0): from the {@link KeyFinder} when
     * there is one, else from first/last/step, clipped to the arguments present.
     */
    public int[] keyPositions(byte[][] argv) {
        if (keyFinder != null) {
            return keyFinder.positions(argv);
        }
        if (firstKey <= 0 || firstKey >= argv.length) {
            return new int[0];
        }
        int last = lastKey < 0 ? argv.length + lastKey : Math.min(lastKey, argv.length - 1);
        int stride = Math.max(1, step);
        if (last < firstKey) {
            return new int[0];
        }
        int[] out = new int[(last - firstKey) / stride + 1];
        for (int i = 0, p = firstKey; p <= last; p += stride, i++) {
            out[i] = p;
        }
        return out;
    }

    /** True when {@code argc} (name included) satisfies this command's arity. */
    public boolean arityAccepts(int argc) {
        return arity >= 0 ? argc == arity : argc >= -arity;
    }
}
