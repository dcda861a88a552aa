package io.hyperkv.server;

import io.hyperkv.resp.Reply;

/**
 * Where PUBLISH and SPUBLISH go, and whether this node serves a shard channel: on a single node, its own
 * {@link PubSubHub} alone ({@link #local}); in cluster mode, {@link ClusterPubSub}. Replies count this node's
 * receivers only, as Redis Cluster's do. Implementations are thread-safe.
 */
interface PubSubRoute {

    /** PUBLISH: delivers here (and wherever else the route reaches); returns the receivers on this node. */
    long publish(byte[] channel, byte[] message);

    /** SPUBLISH, once {@link #shardRefusal} allowed it: returns the receivers on this node. */
    long spublish(byte[] channel, byte[] message);

    /**
     * The error for a shard command whose {@code argv[1 .. channels]} are shard channels when this node must not
     * serve them ({@code -MOVED}, {@code -CROSSSLOT}), or null when it may.
     */
    Reply shardRefusal(byte[][] argv, int channels);

    /** A single node: everything stays in {@code hub}, every shard channel is served here. */
    static PubSubRoute local(PubSubHub hub) {
        return new PubSubRoute() {
            @Override
            public long publish(byte[] channel, byte[] message) {
                return hub.publish(channel, message);
            }

            @Override
            public long spublish(byte[] channel, byte[] message) {
                return hub.spublish(channel, message);
            }

            @Override
            public Reply shardRefusal(byte[][] argv, int channels) {
                return null;
            }
        };
    }
}
