package io.hyperkv.command;

import io.hyperkv.store.Fsync;
import io.hyperkv.store.KeyEvents;
import io.hyperkv.store.Keyspace;

/**
 * The one entry point the server calls to build the command table: every family of this
 * package registered over one {@link Keyspace}, reading and writing one {@link Settings}. The
 * server registers its connection commands (AUTH, HELLO, CLIENT, SELECT...) into the returned
 * table afterwards; COMMAND reads the table at call time and lists them too.
 *
 * <p>Note for the server: the SHUTDOWN handler returns {@code null} (no reply, as Redis) once
 * {@link ServerHooks#shutdown} accepted; handlers flagged {@link CommandFlag#SLOW_PATH} must run
 * on a worker; after a burst that wrote, reply when {@link Keyspace#durable()} completes.
 */
public final class Commands {

    private Commands() {
    }

    public static CommandTable standard(Keyspace keyspace, Settings settings, ServerHooks hooks) {
        return standard(keyspace, settings, hooks, Notifier.NONE);
    }

    /** The table whose write commands report keyspace events to {@code notifier}. */
    public static CommandTable standard(Keyspace keyspace, Settings settings, ServerHooks hooks, Notifier notifier) {
        CommandTable table = new CommandTable();
        new StringCommands(keyspace, settings, notifier).register(table);
        new KeyCommands(keyspace, notifier).register(table);
        new OrderedKeyCommands(keyspace).register(table);
        new ListCommands(keyspace, notifier).register(table);
        if (notifier != Notifier.NONE) {
            // Expiry (passive on access, active in the background cycle) is reported by the store itself.
            keyspace.listen(new KeyEvents() {
                @Override
                public void expired(int db, byte[] key) {
                    notifier.notify(Notifier.EXPIRED, "expired", db, key);
                }
            });
        }
        new ServerCommands(keyspace, settings, hooks, new Info(keyspace, hooks)).register(table);
        new IntrospectionCommands().register(table);
        new ClusterCommands(keyspace, hooks.cluster(), keyspace::now).register(table);
        new HashCommands(keyspace, new io.hyperkv.store.HashStore(keyspace), notifier).register(table);
        new SetCommands(keyspace, new io.hyperkv.store.SetStore(keyspace), notifier).register(table);
        new ZSetCommands(keyspace, settings, notifier).register(table);
        // appendfsync is applied to the engine the moment CONFIG SET accepts it
        settings.onChange((name, value) -> {
            if (name.equals("appendfsync")) {
                keyspace.engine().fsync(Fsync.parse(value));
            }
        });
        return table;
    }
}
