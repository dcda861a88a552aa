package io.hyperkv.store;

/**
 * How a value is represented, as {@code OBJECT ENCODING} reports it. For strings it follows
 * Redis's rules (an integer that fits a long is {@code int}, up to 44 bytes {@code embstr}, else
 * {@code raw}; APPEND and SETRANGE make {@code raw}) so clients that inspect it see what Redis says.
 */
public enum Encoding {
    RAW(0, "raw"),
    INT(1, "int"),
    EMBSTR(2, "embstr"),
    HASHTABLE(3, "hashtable"),
    LISTPACK(4, "listpack"),
    SKIPLIST(5, "skiplist"),
    QUICKLIST(6, "quicklist"),
    INTSET(7, "intset");

    private static final int EMBSTR_LIMIT = 44;

    private final int code;
    private final String redisName;

    Encoding(int code, String redisName) {
        this.code = code;
        this.redisName = redisName;
    }

    public int code() {
        return code;
    }

    public String redisName() {
        return redisName;
    }

    public static Encoding ofCode(int code) {
        for (Encoding e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new StoreException("unknown encoding code " + code);
    }

    /** The encoding Redis gives a string stored by SET: int, embstr or raw. */
    public static Encoding ofString(byte[] value) {
        if (value.length <= 20 && Numbers.parseLong(value) != null) {
            return INT;
        }
        return value.length <= EMBSTR_LIMIT ? EMBSTR : RAW;
    }
}
