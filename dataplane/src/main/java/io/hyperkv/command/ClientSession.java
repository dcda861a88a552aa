package io.hyperkv.command;

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

    /** Access to the implementation, for connection-level commands that live in the server. */
    <T> T unwrap(Class<T> type);
}
