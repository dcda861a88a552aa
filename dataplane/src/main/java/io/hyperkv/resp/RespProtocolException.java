package io.hyperkv.resp;

/**
 * A request broke the protocol or one of the {@link RespLimits}. {@link #getMessage()} is Redis's own text after
 * {@code "ERR "}, so the server replies {@code "-ERR " + getMessage()} and closes the connection, as Redis does.
 *
 * <p>These are expected outcomes of bad input, not bugs, so no stack trace is captured.
 */
public final class RespProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    public static final String TOO_BIG_INLINE_REQUEST = "Protocol error: too big inline request";
    public static final String TOO_BIG_MBULK_COUNT_STRING = "Protocol error: too big mbulk count string";
    public static final String TOO_BIG_BULK_COUNT_STRING = "Protocol error: too big bulk count string";
    public static final String INVALID_MULTIBULK_LENGTH = "Protocol error: invalid multibulk length";
    public static final String INVALID_BULK_LENGTH = "Protocol error: invalid bulk length";
    public static final String UNAUTHENTICATED_MULTIBULK_LENGTH = "Protocol error: unauthenticated multibulk length";
    public static final String UNAUTHENTICATED_BULK_LENGTH = "Protocol error: unauthenticated bulk length";
    public static final String UNBALANCED_QUOTES = "Protocol error: unbalanced quotes in request";
    /**
     * A CR not followed by LF where the protocol needs CRLF. Redis 7 skips those two bytes unchecked (so a bulk whose
     * declared length is shorter than its data is silently truncated); Valkey 8 rejects them with these words, and so
     * do we, because a mis-framed value must not be stored.
     */
    public static final String INVALID_CRLF = "Protocol error: invalid CRLF in request";

    public RespProtocolException(String message) {
        super(message, null, false, false);
    }

    /** The reply Redis sends before closing the connection: {@code -ERR <message>}. */
    public Reply reply() {
        return Reply.error("ERR " + getMessage());
    }

    /**
     * Redis's {@code "expected '$', got '%c'"}: the offending byte as a character, with CR and LF turned into spaces as
     * Redis's error formatting does so the reply stays one line.
     */
    static RespProtocolException expectedDollar(byte got) {
        char c = (char) (got & 0xFF);
        if (c == '\r' || c == '\n') {
            c = ' ';
        }
        return new RespProtocolException("Protocol error: expected '$', got '" + c + "'");
    }
}
