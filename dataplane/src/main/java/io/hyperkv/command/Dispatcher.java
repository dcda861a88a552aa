package io.hyperkv.command;

import io.hyperkv.resp.Reply;

/**
 * Turns one decoded command into a reply: table lookup, arity, authentication, subcommand
 * resolution, then the handler. Every refusal uses Redis's exact words, because client libraries
 * and users match on them.
 */
public final class Dispatcher {

    private final CommandTable table;

    public Dispatcher(CommandTable table) {
        this.table = table;
    }

    public CommandTable table() {
        return table;
    }

    /**
     * Resolves {@code argv} to the spec that will run it (the subcommand for containers), or
     * returns null when the command is unknown. Callers use it to pick the thread a command runs
     * on and to know whether it writes.
     */
    public CommandSpec resolve(byte[][] argv) {
        CommandSpec spec = table.lookup(argv[0]);
        if (spec != null && !spec.subcommands().isEmpty() && argv.length >= 2) {
            CommandSpec sub = CommandTable.subcommand(spec, argv[1]);
            return sub != null ? sub : spec;
        }
        return spec;
    }

    public Reply dispatch(ClientSession session, byte[][] argv) {
        CommandSpec spec = table.lookup(argv[0]);
        if (spec == null) {
            return unknownCommand(argv);
        }
        if (!session.authenticated() && !spec.has(CommandFlag.NO_AUTH)) {
            return Reply.error("NOAUTH Authentication required.");
        }
        if (!spec.arityAccepts(argv.length)) {
            return wrongArity(spec.name());
        }
        if (!spec.subcommands().isEmpty() && spec.handler() == null) {
            CommandSpec sub = CommandTable.subcommand(spec, argv[1]);
            if (sub == null) {
                return Reply.error("ERR unknown subcommand '" + CommandTable.text(argv[1])
                        + "'. Try " + spec.name().toUpperCase(java.util.Locale.ROOT) + " HELP.");
            }
            if (!sub.arityAccepts(argv.length)) {
                return wrongArity(sub.name());
            }
            return sub.handler().handle(session, argv);
        }
        return spec.handler().handle(session, argv);
    }

    public static Reply wrongArity(String name) {
        return Reply.error("ERR wrong number of arguments for '" + name + "' command");
    }

    static Reply unknownCommand(byte[][] argv) {
        StringBuilder sb = new StringBuilder("ERR unknown command '")
                .append(CommandTable.text(argv[0])).append("', with args beginning with: ");
        for (int i = 1; i < argv.length && sb.length() < 128; i++) {
            sb.append('\'').append(CommandTable.text(argv[i])).append("' ");
        }
        return Reply.error(sb.toString());
    }
}
