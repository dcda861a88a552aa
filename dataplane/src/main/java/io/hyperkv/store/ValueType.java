package io.hyperkv.store;

/** The Redis type of a key, as {@code TYPE} names it; the code is what the metadata stores. */
public enum ValueType {
    STRING(1, "string"),
    HASH(2, "hash"),
    SET(3, "set"),
    ZSET(4, "zset"),
    LIST(5, "list");

    private final int code;
    private final String redisName;

    ValueType(int code, String redisName) {
        this.code = code;
        this.redisName = redisName;
    }

    public int code() {
        return code;
    }

    public String redisName() {
        return redisName;
    }

    /** True for types whose elements live in {@link ColumnFamily#SUB} under the key's version. */
    public boolean hasSubkeys() {
        return this != STRING;
    }

    public static ValueType ofCode(int code) {
        for (ValueType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        throw new StoreException("unknown value type code " + code);
    }

    /** The type named as {@code SCAN ... TYPE} accepts it, or null. */
    public static ValueType ofRedisName(String name) {
        for (ValueType t : values()) {
            if (t.redisName.equalsIgnoreCase(name)) {
                return t;
            }
        }
        return null;
    }
}
