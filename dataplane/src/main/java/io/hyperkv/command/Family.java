package io.hyperkv.command;

import io.hyperkv.resp.Reply;
import io.hyperkv.store.StoreException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Base of the command families: registration with a uniform error boundary, so a parsing
 * {@link CommandError} becomes its reply and a storage failure becomes an {@code ERR} reply for
 * that one command instead of a dropped connection.
 */
abstract class Family {

    private static final Logger LOG = Logger.getLogger(Family.class.getName());

    abstract void register(CommandTable table);

    static CommandHandler guarded(CommandHandler h) {
        return (session, argv) -> {
            try {
                return h.handle(session, argv);
            } catch (CommandError e) {
                return e.toReply();
            } catch (StoreException e) {
                LOG.log(Level.SEVERE, "storage failure in " + Args.text(argv[0]), e);
                return Reply.error("ERR storage failure: " + e.getMessage());
            }
        };
    }

    static SpecBuilder cmd(String name, int arity) {
        return SpecBuilder.command(name, arity);
    }
}
