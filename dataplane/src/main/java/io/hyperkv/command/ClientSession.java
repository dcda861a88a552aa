package io.hyperkv.command;

import io.hyperkv.resp.Reply;

/**
 * What a command handler may know and change about the connection that sent the command. The
 * server's connection implements it; handlers of connection commands that need more unwrap it.
 */
public interface ClientSession {

    long id();

    /** Selected logical database, 0..15. */
    int db();

    void selectDb(int db);

    /** 2 or 3, as negotiated by {@code HELLO}. */
    int protocol();

    boolean authenticated();

    /**
     * True between MULTI and the end of its EXEC (or DISCARD), and while EXEC runs the queued
     * commands: a blocking command (BLPOP...) must then answer at once as its non-blocking form,
     * as Redis does, and the dispatcher does not lock readers (EXEC holds their keys already).
     */
    default boolean inMulti() {
        return false;
    }

    /**
     * True when a blocking command may park this client ({@link #block}). False for sessions that
     * cannot wait: inside MULTI/EXEC and scripts a blocking command behaves as its non-blocking form
     * and answers its timeout reply at once (Redis does the same), and handler tests. The server's
     * connection answers true unless EXEC set its {@code denyBlocking} (Redis's CLIENT_DENY_BLOCKING).
     */
    default boolean mayBlock() {
        return false;
    }

    /**
     * Parks this client until {@code request} is served, times out or is unblocked; the handler
     * returns what this returns ({@link Reply#DEFERRED}). Only when {@link #mayBlock()}: a session that
     * cannot wait (handler tests, EXEC) keeps this default, and a handler that calls it anyway has
     * broken that contract.
     */
    default Reply block(BlockRequest request) {
        throw new IllegalStateException("block() called on a session whose mayBlock() is false");
    }

    /** Access to the implementation, for connection-level commands that live in the server. */
    <T> T unwrap(Class<T> type);
}
