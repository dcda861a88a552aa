package io.hyperkv.server;

import io.hyperkv.command.OutputBufferLimits;
import io.hyperkv.resp.ByteArrayRespOutput;
import io.hyperkv.resp.Reply;
import io.hyperkv.resp.RespEncoder;
import io.hyperkv.store.Glob;
import io.hyperkv.store.KeySlot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

/**
 * The node's pub/sub registry: who listens to which channel, pattern and shard channel, and the
 * fan-out of PUBLISH / SPUBLISH (and of keyspace notifications) to them.
 *
 * <p>Invariants and concurrency:
 * <ul>
 *   <li>A channel maps to a copy-on-write array of subscribers; a channel with no subscriber has no
 *       entry (so {@code PUBSUB CHANNELS} and {@code pubsub_channels} count live channels only).
 *       Updates go through {@link ConcurrentHashMap#compute}, atomic per channel, so subscribers on
 *       different event loops never lose each other's updates; PUBLISH reads one array without
 *       locking.</li>
 *   <li>Patterns are few and change rarely: they live in one array of (pattern, glob, subscribers)
 *       rebuilt under a lock on change and read without locking by PUBLISH, which matches the channel
 *       against each distinct pattern once.</li>
 *   <li>The hub keeps no per-connection state: which channels a connection holds is the
 *       connection's own business ({@link Subscriptions}); the hub only answers "added or not".</li>
 *   <li>A message is encoded once per protocol ({@link Message}) and the same bytes are handed to
 *       every subscriber; delivery itself (on the subscriber's event loop, with its output-buffer
 *       limit) is the subscriber's job.</li>
 * </ul>
 * On a single node shard channels behave as Redis 7 standalone: a separate namespace with its own
 * counts, delivered as {@code smessage}, never matched by patterns.
 */
final class PubSubHub {

    /** What the hub delivers to: a connection, or a stand-in in unit tests. Must be thread-safe. */
    interface Subscriber {
        void deliver(Message message);

        /**
         * This node stopped serving the shard channel {@code channel} (its slot moved away, cluster mode): the
         * subscriber leaves it, which removes it from the hub, and tells its client with a {@code sunsubscribe}.
         */
        default void shardChannelGone(byte[] channel) {
        }
    }

    /** The three namespaces of subscriptions. */
    enum Kind {
        CHANNEL("subscribe", "unsubscribe"),
        PATTERN("psubscribe", "punsubscribe"),
        SHARD("ssubscribe", "sunsubscribe");

        final Reply subscribeWord;
        final Reply unsubscribeWord;

        Kind(String subscribe, String unsubscribe) {
            this.subscribeWord = Reply.bulk(subscribe);
            this.unsubscribeWord = Reply.bulk(unsubscribe);
        }
    }

    private static final Subscriber[] NONE = new Subscriber[0];
    private static final PatternEntry[] NO_PATTERNS = new PatternEntry[0];

    private final ConcurrentHashMap<Name, Subscriber[]> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Name, Subscriber[]> shardChannels = new ConcurrentHashMap<>();
    /** Pattern → subscribers, in first-subscription order; guarded by {@code this}. */
    private final Map<Name, PatternEntry> patternsByName = new LinkedHashMap<>();
    private volatile PatternEntry[] patterns = NO_PATTERNS;
    private final AtomicLong outputBufferDisconnections = new AtomicLong();
    private volatile long lastCutQueuedBytes;
    private volatile OutputBufferLimits limits = OutputBufferLimits.parse(OutputBufferLimits.DEFAULT);

    // ---------------------------------------------------------------- subscribing

    /** Adds {@code s} to {@code name} of {@code kind}; the caller knows it was not there yet. */
    void add(Kind kind, byte[] name, Subscriber s) {
        Name key = new Name(name);
        if (kind == Kind.PATTERN) {
            synchronized (this) {
                PatternEntry e = patternsByName.get(key);
                Subscriber[] subs = e == null ? new Subscriber[] {s} : append(e.subscribers, s);
                patternsByName.put(key, new PatternEntry(name, new Glob(name, false), subs));
                patterns = patternsByName.values().toArray(NO_PATTERNS);
            }
        } else {
            map(kind).compute(key, (k, subs) -> subs == null ? new Subscriber[] {s} : append(subs, s));
        }
    }

    /** Removes {@code s} from {@code name} of {@code kind}; the entry goes when its last subscriber does. */
    void remove(Kind kind, byte[] name, Subscriber s) {
        Name key = new Name(name);
        if (kind == Kind.PATTERN) {
            synchronized (this) {
                PatternEntry e = patternsByName.get(key);
                if (e == null) {
                    return;
                }
                Subscriber[] subs = without(e.subscribers, s);
                if (subs.length == 0) {
                    patternsByName.remove(key);
                } else {
                    patternsByName.put(key, new PatternEntry(e.pattern, e.glob, subs));
                }
                patterns = patternsByName.values().toArray(NO_PATTERNS);
            }
        } else {
            map(kind).computeIfPresent(key, (k, subs) -> {
                Subscriber[] left = without(subs, s);
                return left.length == 0 ? null : left;
            });
        }
    }

    private ConcurrentHashMap<Name, Subscriber[]> map(Kind kind) {
        return kind == Kind.SHARD ? shardChannels : channels;
    }

    // ---------------------------------------------------------------- publishing

    /**
     * PUBLISH: delivers to the channel's subscribers and to every subscriber of each matching
     * pattern; returns the number of deliveries, which is what Redis replies (a client subscribed
     * to the channel and to a matching pattern counts twice).
     */
    long publish(byte[] channel, byte[] payload) {
        long receivers = 0;
        Subscriber[] subs = channels.get(new Name(channel));
        if (subs != null) {
            Message m = Message.of(Reply.bulk("message"), null, channel, payload);
            for (Subscriber s : subs) {
                s.deliver(m);
            }
            receivers += subs.length;
        }
        for (PatternEntry p : patterns) {
            if (p.glob.matches(channel)) {
                Message m = Message.of(Reply.bulk("pmessage"), p.pattern, channel, payload);
                for (Subscriber s : p.subscribers) {
                    s.deliver(m);
                }
                receivers += p.subscribers.length;
            }
        }
        return receivers;
    }

    /**
     * Tells the subscribers of every shard channel whose slot {@code movedAway} accepts that the channel is gone
     * ({@link Subscriber#shardChannelGone}), as Redis Cluster does when a slot leaves a node; returns how many
     * channels that was.
     */
    int shardChannelsGone(IntPredicate movedAway) {
        int gone = 0;
        for (Map.Entry<Name, Subscriber[]> e : shardChannels.entrySet()) {
            byte[] channel = e.getKey().bytes;
            if (movedAway.test(KeySlot.of(channel))) {
                for (Subscriber s : e.getValue()) {
                    s.shardChannelGone(channel);
                }
                gone++;
            }
        }
        return gone;
    }

    /** SPUBLISH: the shard channel's subscribers only; patterns never see shard messages. */
    long spublish(byte[] channel, byte[] payload) {
        Subscriber[] subs = shardChannels.get(new Name(channel));
        if (subs == null) {
            return 0;
        }
        Message m = Message.of(Reply.bulk("smessage"), null, channel, payload);
        for (Subscriber s : subs) {
            s.deliver(m);
        }
        return subs.length;
    }

    // ---------------------------------------------------------------- introspection

    /** Active channels (or shard channels) matching {@code pattern} (null: all), as PUBSUB CHANNELS. */
    List<byte[]> channels(Kind kind, byte[] pattern) {
        Glob glob = pattern == null ? null : new Glob(pattern, false);
        List<byte[]> out = new ArrayList<>();
        for (Name k : map(kind).keySet()) {
            if (glob == null || glob.matches(k.bytes)) {
                out.add(k.bytes);
            }
        }
        return out;
    }

    /** Subscribers of one channel or shard channel, patterns excluded (PUBSUB NUMSUB). */
    int subscribers(Kind kind, byte[] name) {
        Subscriber[] subs = map(kind).get(new Name(name));
        return subs == null ? 0 : subs.length;
    }

    /** Distinct patterns with at least one subscriber (PUBSUB NUMPAT, INFO pubsub_patterns). */
    int patternCount() {
        return patterns.length;
    }

    int channelCount(Kind kind) {
        return map(kind).size();
    }

    /** The output-buffer limits in force (CONFIG SET client-output-buffer-limit replaces them). */
    OutputBufferLimits limits() {
        return limits;
    }

    void limits(OutputBufferLimits value) {
        limits = value;
    }

    /** Records one client cut by its output-buffer limit, with the bytes it had queued then. */
    void countOutputBufferDisconnection(long queuedBytes) {
        outputBufferDisconnections.incrementAndGet();
        lastCutQueuedBytes = queuedBytes;
    }

    /** Bytes queued to the last client cut by its output-buffer limit (0 if none was): for tests and logs. */
    long lastCutQueuedBytes() {
        return lastCutQueuedBytes;
    }

    long outputBufferDisconnections() {
        return outputBufferDisconnections.get();
    }

    private static Subscriber[] append(Subscriber[] subs, Subscriber s) {
        Subscriber[] out = Arrays.copyOf(subs, subs.length + 1);
        out[subs.length] = s;
        return out;
    }

    private static Subscriber[] without(Subscriber[] subs, Subscriber s) {
        for (int i = 0; i < subs.length; i++) {
            if (subs[i] == s) {
                if (subs.length == 1) {
                    return NONE;
                }
                Subscriber[] out = new Subscriber[subs.length - 1];
                System.arraycopy(subs, 0, out, 0, i);
                System.arraycopy(subs, i + 1, out, i, subs.length - i - 1);
                return out;
            }
        }
        return subs;
    }

    private record PatternEntry(byte[] pattern, Glob glob, Subscriber[] subscribers) {}

    /** A channel or pattern name as a map key, compared by content; the array is never changed after decoding. */
    static final class Name {
        final byte[] bytes;
        private final int hash;

        Name(byte[] bytes) {
            this.bytes = bytes;
            this.hash = Arrays.hashCode(bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Name k && k.hash == hash && Arrays.equals(k.bytes, bytes);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /**
     * One published message as it goes on the wire: {@code message}/{@code smessage} (channel,
     * payload) or {@code pmessage} (pattern, channel, payload). RESP2 sends it as an array and RESP3
     * as a push frame; the two encodings differ only in the first byte ({@code *} vs {@code >}),
     * so the RESP2 bytes are made once eagerly and the RESP3 ones once on first need.
     */
    static final class Message {
        private final byte[] resp2;
        private volatile byte[] resp3;

        private Message(byte[] resp2) {
            this.resp2 = resp2;
        }

        static Message of(Reply kind, byte[] pattern, byte[] channel, byte[] payload) {
            List<Reply> items = pattern == null
                    ? List.of(kind, Reply.bulk(channel), Reply.bulk(payload))
                    : List.of(kind, Reply.bulk(pattern), Reply.bulk(channel), Reply.bulk(payload));
            ByteArrayRespOutput out = new ByteArrayRespOutput(32 + channel.length + payload.length
                    + (pattern == null ? 0 : pattern.length));
            RespEncoder.encode(new Reply.Push(items), RespEncoder.RESP2, out);
            return new Message(out.toByteArray());
        }

        /**
         * An unsubscription the server made on its own ({@code [sunsubscribe, channel, count]}, {@code count} the
         * client's subscriptions of that kind left), sent like a message.
         */
        static Message unsubscribed(Kind kind, byte[] name, int count) {
            ByteArrayRespOutput out = new ByteArrayRespOutput(32 + name.length);
            RespEncoder.encode(new Reply.Push(List.of(kind.unsubscribeWord, Reply.bulk(name), Reply.integer(count))),
                    RespEncoder.RESP2, out);
            return new Message(out.toByteArray());
        }

        /** The wire bytes for a connection speaking {@code protocol}; shared, callers must not change them. */
        byte[] encoded(int protocol) {
            if (protocol == RespEncoder.RESP2) {
                return resp2;
            }
            byte[] b = resp3;
            if (b == null) {
                b = resp2.clone();
                b[0] = '>';
                resp3 = b;
            }
            return b;
        }
    }
}
