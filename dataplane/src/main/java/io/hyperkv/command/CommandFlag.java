package io.hyperkv.command;

/** Command flags as {@code COMMAND INFO} reports them, plus the ones that steer execution here. */
public enum CommandFlag {
    WRITE("write"),
    READONLY("readonly"),
    DENYOOM("denyoom"),
    ADMIN("admin"),
    PUBSUB("pubsub"),
    NOSCRIPT("noscript"),
    BLOCKING("blocking"),
    LOADING("loading"),
    STALE("stale"),
    SKIP_MONITOR("skip_monitor"),
    FAST("fast"),
    NO_AUTH("no_auth"),
    MAY_REPLICATE("may_replicate"),
    NO_MULTI("no_multi"),
    ALLOW_BUSY("allow_busy"),
    /** Not a Redis flag: the handler may take long (scans, checkpoints), so it runs on a worker thread, never an event loop. */
    SLOW_PATH(null);

    private final String redisName;

    CommandFlag(String redisName) {
        this.redisName = redisName;
    }

    /** The name {@code COMMAND INFO} prints, or null for flags that are internal to HyperKV. */
    public String redisName() {
        return redisName;
    }
}
