package io.hyperkv.command;

import io.hyperkv.resp.Reply;

/**
 * Thrown by argument parsing deep inside a handler to abort it with a Redis error reply; the
 * family wrapper turns it into that reply. Carries no stack trace: it is control flow, not a fault.
 */
public final class CommandError extends RuntimeException {

    private final String reply;

    public CommandError(String reply) {
        super(reply, null, false, false);
        this.reply = reply;
    }

    public Reply toReply() {
        return Reply.error(reply);
    }
}
