package io.hyperkv.command;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.KeyLocks;
import io.hyperkv.store.Keyspace;

/**
 * Turns one decoded command into a reply: table lookup, arity, authentication, subcommand
 * resolution, then the handler. Every refusal uses Redis's exact words, because client libraries
 * and users match on them.
 *
 * <p>Readers lock: given a {@link Keyspace}, a {@link CommandFlag#READONLY} command with keys runs
 * holding the {@link KeyLocks} stripes of its keys (outside a transaction, whose EXEC already
 * holds them). Writers lock their keys themselves around read-compute-write; without this a
 * reader on another event loop could see half of an EXEC (MGET a b between its SET a and SET b).
 * Uncontended the stripe costs one hash of the key and one CAS pair (see {@code KeyLocks}).
 * Writers are not locked here: their handlers already lock every key they write, and some lock
 * keys in another db (COPY ... DB n) that the command's key positions cannot name, which would
 * break the ascending stripe order.
 */
public final class Dispatcher {

    private final CommandTable table;
    private final Keyspace keyspace;

    public Dispatcher(CommandTable table) {
        this(table, null);
    }

    /** A dispatcher whose keyed readers run under their keys' stripes of {@code keyspace} (null: no locking). */
    public Dispatcher(CommandTable table, Keyspace keyspace) {
        this.table = table;
        this.keyspace = keyspace;
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
        Reply refused = check(session, argv);
        if (refused != null) {
            return refused;
        }
        CommandSpec spec = table.lookup(argv[0]);
        if (!spec.subcommands().isEmpty() && spec.handler() == null) {
            spec = CommandTable.subcommand(spec, argv[1]);
        }
        if (keyspace != null && spec.has(CommandFlag.READONLY) && !session.inMulti()) {
            int[] positions = spec.keyPositions(argv);
            if (positions.length > 0) {
                try (KeyLocks.Held ignored = lockKeys(session.db(), argv, positions)) {
                    return spec.handler().handle(session, argv);
                }
            }
        }
        return spec.handler().handle(session, argv);
    }

    private KeyLocks.Held lockKeys(int db, byte[][] argv, int[] positions) {
        if (positions.length == 1) {
            return keyspace.lock(db, argv[positions[0]]);
        }
        byte[][] keys = new byte[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            keys[i] = argv[positions[i]];
        }
        return keyspace.lock(db, keys);
    }

    /**
     * The refusal {@code argv} gets before any handler runs (unknown command or subcommand, NOAUTH,
     * wrong arity), or null when it may run. MULTI uses it to validate a command when queueing it.
     */
    public Reply check(ClientSession session, byte[][] argv) {
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
        }
        return null;
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
