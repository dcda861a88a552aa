package io.hyperkv.server;

import io.hyperkv.command.ClientSession;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandHandler;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.CommandTable;
import io.hyperkv.resp.Reply;
import io.hyperkv.store.Keyspace;
import java.util.List;
import java.util.Set;

/**
 * MULTI, EXEC, DISCARD, WATCH, UNWATCH: flags, arity and key specs as Redis 7.2's command table;
 * the semantics live in {@link Transaction} (one per connection) and {@link WatchedKeys} (one per
 * node). They are server commands because they drive the connection: while a transaction is open
 * the connection queues instead of executing, and EXEC's thread and durability depend on the queue.
 */
final class TransactionCommands {

    private final Keyspace keyspace;

    TransactionCommands(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    void registerInto(CommandTable table) {
        Set<CommandFlag> quick = Set.of(CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE, CommandFlag.FAST,
                CommandFlag.ALLOW_BUSY);
        Set<String> fast = Set.of("@fast", "@transaction");
        table.register(spec("multi", 1, quick, fast, 0, (s, a) -> tx(s).multi()));
        table.register(spec("exec", 1, Set.of(CommandFlag.NOSCRIPT, CommandFlag.LOADING, CommandFlag.STALE),
                Set.of("@slow", "@transaction"), 0, this::exec));
        table.register(spec("discard", 1, quick, fast, 0, (s, a) -> tx(s).discard()));
        table.register(spec("watch", -2, quick, fast, 1, (s, a) -> tx(s).watch(keyspace, s.db(), a)));
        table.register(spec("unwatch", 1, quick, fast, 0, (s, a) -> tx(s).unwatch()));
    }

    private Reply exec(ClientSession session, byte[][] argv) {
        Connection c = session.unwrap(Connection.class);
        return c.transaction().exec(c.dispatcher(), c, keyspace);
    }

    private static Transaction tx(ClientSession session) {
        return session.unwrap(Connection.class).transaction();
    }

    private static CommandSpec spec(String name, int arity, Set<CommandFlag> flags, Set<String> acl, int firstKey,
            CommandHandler handler) {
        return new CommandSpec(name, arity, flags, firstKey, firstKey == 0 ? 0 : -1, firstKey == 0 ? 0 : 1, acl,
                handler, List.of());
    }
}
