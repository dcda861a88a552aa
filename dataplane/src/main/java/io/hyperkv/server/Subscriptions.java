package io.hyperkv.server;

import io.hyperkv.server.PubSubHub.Kind;
import io.hyperkv.server.PubSubHub.Name;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The channels, patterns and shard channels one connection is subscribed to, kept in step with the
 * {@link PubSubHub}: a name is in the hub for this subscriber exactly when it is in this set.
 * Changed only on the connection's own event loop (by its commands and when it closes); the counts
 * are volatile because CLIENT LIST from other connections reads them.
 */
final class Subscriptions {

    private final PubSubHub hub;
    private final PubSubHub.Subscriber owner;
    private final Map<Kind, Map<Name, byte[]>> names = new EnumMap<>(Kind.class);
    private volatile int channels;
    private volatile int patterns;
    private volatile int shards;

    Subscriptions(PubSubHub hub, PubSubHub.Subscriber owner) {
        this.hub = hub;
        this.owner = owner;
        for (Kind k : Kind.values()) {
            names.put(k, new LinkedHashMap<>());
        }
    }

    /** Subscribes; false if already subscribed to that name (Redis then only repeats the confirmation). */
    boolean subscribe(Kind kind, byte[] name) {
        if (names.get(kind).putIfAbsent(new Name(name), name) != null) {
            return false;
        }
        hub.add(kind, name, owner);
        recount();
        return true;
    }

    /** Unsubscribes; false if it was not subscribed. */
    boolean unsubscribe(Kind kind, byte[] name) {
        if (names.get(kind).remove(new Name(name)) == null) {
            return false;
        }
        hub.remove(kind, name, owner);
        recount();
        return true;
    }

    /**
     * Leaves the shard channel {@code channel} because this node stopped serving its slot; returns the
     * {@code sunsubscribe} notice for the client, or null when it was not subscribed (any more).
     */
    PubSubHub.Message leaveMovedShardChannel(byte[] channel) {
        if (!unsubscribe(Kind.SHARD, channel)) {
            return null;
        }
        return PubSubHub.Message.unsubscribed(Kind.SHARD, channel, confirmationCount(Kind.SHARD));
    }

    /** The names of one kind in subscription order (what UNSUBSCRIBE without arguments walks). */
    List<byte[]> names(Kind kind) {
        return new ArrayList<>(names.get(kind).values());
    }

    /** Leaves everything: on RESET and when the connection closes. */
    void clear() {
        for (Kind k : Kind.values()) {
            for (byte[] name : names(k)) {
                unsubscribe(k, name);
            }
        }
    }

    /**
     * The count Redis puts in a (un)subscribe confirmation: channels plus patterns for those two
     * kinds, shard channels alone for the shard kind.
     */
    int confirmationCount(Kind kind) {
        return kind == Kind.SHARD ? shards : channels + patterns;
    }

    /** True while subscribed to anything: the connection is then a pub/sub client (flag P, RESP2 subscriber mode). */
    boolean active() {
        return channels + patterns + shards > 0;
    }

    int channels() {
        return channels;
    }

    int patterns() {
        return patterns;
    }

    int shards() {
        return shards;
    }

    private void recount() {
        channels = names.get(Kind.CHANNEL).size();
        patterns = names.get(Kind.PATTERN).size();
        shards = names.get(Kind.SHARD).size();
    }
}
