package io.hyperkv.command;

/** A connection stand-in for handler tests: authenticated, RESP2, db 0 unless selected. */
final class TestSession implements ClientSession {
    private int db;

    @Override
    public long id() {
        return 1;
    }

    @Override
    public int db() {
        return db;
    }

    @Override
    public void selectDb(int db) {
        this.db = db;
    }

    @Override
    public int protocol() {
        return 2;
    }

    @Override
    public boolean authenticated() {
        return true;
    }

    @Override
    public <T> T unwrap(Class<T> type) {
        throw new IllegalStateException("handler tests run without a server connection to unwrap");
    }
}
