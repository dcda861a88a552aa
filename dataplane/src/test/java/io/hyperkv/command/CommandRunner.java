package io.hyperkv.command;

import io.hyperkv.store.Keyspace;
import java.nio.charset.StandardCharsets;

/**
 * The standard command table over a keyspace, for tests outside this package that need a replica's writes to be
 * real commands (SET, DEL, SADD, HSET, EXPIRE...) rather than hand-built store calls. One session, database 0 unless
 * SELECT says otherwise. Replies come back rendered as {@link CommandHarness#render} does.
 */
public final class CommandRunner {

    private final Dispatcher dispatcher;
    private final TestSession session = new TestSession();

    public CommandRunner(Keyspace keyspace) {
        this.dispatcher = new Dispatcher(Commands.standard(keyspace, new Settings(), ServerHooks.none()));
    }

    /** Runs one command line; the reply rendered compactly (+OK, :1, "bulk", nil, [a, b], -ERR ...). */
    public String run(String... args) {
        byte[][] argv = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            argv[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return CommandHarness.render(dispatcher.dispatch(session, argv));
    }
}
