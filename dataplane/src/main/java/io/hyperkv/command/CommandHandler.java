package io.hyperkv.command;

import io.hyperkv.resp.Reply;

/** Executes one command. {@code argv[0]} is the command name as the client sent it. */
@FunctionalInterface
public interface CommandHandler {
    Reply handle(ClientSession session, byte[][] argv);
}
