package io.hyperkv.store;

/** An engine failure (I/O error, corruption) that the caller cannot fix by retrying the same call. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    public StoreException(String message) {
        super(message);
    }
}
