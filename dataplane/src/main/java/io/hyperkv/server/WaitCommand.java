package io.hyperkv.server;

import io.hyperkv.command.ClientSession;
import io.hyperkv.command.CommandFlag;
import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.CommandTable;
import io.hyperkv.resp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * {@code WAIT numreplicas timeout}, as Redis: answers the number of replicas that acknowledged every write this
 * connection made before it, as soon as that reaches {@code numreplicas} or when {@code timeout} milliseconds ran out
 * (0: no bound). The client's later commands queue meanwhile. Inside MULTI it answers at once. On a single node there
 * are no replicas: the answer is 0, after the timeout when {@code numreplicas} is positive, as a Redis master without
 * replicas. In cluster mode the replicas of a write are the other owners of its slot ({@link ReplicaAcks}); before any
 * write, every member the bus sees up counts.
 */
final class WaitCommand {

    private WaitCommand() {
    }

    static void registerInto(CommandTable table) {
        table.register(new CommandSpec("wait", 3, Set.of(CommandFlag.NOSCRIPT), 0, 0, 0,
                Set.of("@slow", "@connection"), WaitCommand::handle, List.of()));
    }

    private static Reply handle(ClientSession session, byte[][] argv) {
        Long wanted = parse(argv[1]);
        if (wanted == null) {
            return Reply.error("ERR value is not an integer or out of range");
        }
        Long timeout = parse(argv[2]);
        if (timeout == null) {
            return Reply.error("ERR timeout is not an integer or out of range");
        }
        if (timeout < 0) {
            return Reply.error("ERR timeout is negative");
        }
        return session.unwrap(Connection.class).waitForReplicas(wanted, timeout);
    }

    private static Long parse(byte[] arg) {
        try {
            return Long.parseLong(new String(arg, StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
