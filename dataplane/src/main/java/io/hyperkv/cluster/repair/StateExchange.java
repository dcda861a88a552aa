package io.hyperkv.cluster.repair;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.bus.BusRpc;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.KeySlot;
import io.hyperkv.store.Keyspace;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.IntPredicate;

/**
 * The calls replicas make to compare and exchange state, both ends: this node serves them from its {@link Keyspace}
 * over {@link BusRpc}, and calls them on peers. Anti-entropy uses them all; the coordinator's quorum reads use
 * {@link #fetch}, which brings big keys part after part ({@code AE.PARTS}, {@code AE.PART}).
 *
 * <h2>Calls</h2>
 * <table>
 * <caption>Anti-entropy calls</caption>
 * <tr><th>call</th><th>answer</th></tr>
 * <tr><td>{@code AE.DIGESTS}</td><td>one element per database: its non-zero slot digests
 *     ({@link Keyspace#slotDigest}) as {@code {slot u16, digest u64}*}, big-endian, in slot order</td></tr>
 * <tr><td>{@code AE.KEYS db slot after limit}</td><td>{@code {key, hash u64}*}: the slot's live keys
 *     ({@link Keyspace#keyHashes}) after {@code after} (unsigned byte order; empty: from the first), at most
 *     {@code limit}; fewer than {@code limit} means the slot ends there</td></tr>
 * <tr><td>{@code AE.PARTS db key...}</td><td>one element per key, for a prefix of the keys: the key's
 *     {@link Keyspace#capture} (tombstones included), or empty when nothing is stored; a key whose state does not fit
 *     in what is left of the answer's {@code maxAnswerBytes} comes as its first part ({@link Keyspace#capturePart},
 *     {@link KeyDelta.Part}), and the prefix ends before a key that would come in small parts: an answer never holds
 *     much more than {@code maxAnswerBytes}, and the caller asks again for the rest</td></tr>
 * <tr><td>{@code AE.PART db key after}</td><td>the part of the key's state after element {@code after}, of about
 *     {@code maxAnswerBytes} ({@link Keyspace#capturePart}); empty when nothing is stored</td></tr>
 * <tr><td>{@code AE.MERGE db {key delta}...}</td><td>{@code changed}: after merging every delta of a slot this node
 *     owns under its topology in force ({@link Keyspace#merge}; deltas of other slots are ignored, so a caller on an
 *     older topology cannot bring back a slot this node dropped) and waiting for them to be durable, how many changed
 *     this node</td></tr>
 * </table>
 * Every call is idempotent: merging twice is merging once.
 *
 * <p>Threading: served calls run on the {@link BusRpc} work executor; the client methods never block and may be
 * called from any thread.
 */
public final class StateExchange {

    static final String DIGESTS = "AE.DIGESTS";
    static final String KEYS = "AE.KEYS";
    static final String MERGE = "AE.MERGE";
    static final String PARTS = "AE.PARTS";
    static final String PART = "AE.PART";

    private static final int DIGEST_ENTRY_BYTES = 2 + 8;

    private final BusRpc rpc;
    private final Keyspace keyspace;
    private final Duration timeout;
    private final int maxAnswerBytes;
    private final IntPredicate owned;
    private final AtomicLong largestMessage = new AtomicLong();

    /** A live key of a peer's slot and the hash of its state, as {@code AE.KEYS} reports it. */
    public record KeyHash(byte[] key, long hash) {
    }

    /**
     * Serves the calls from {@code keyspace} on {@code rpc}, merging only into slots {@code owned} accepts; each call
     * made through this instance waits at most {@code timeout}, and a fetch answer holds about {@code maxAnswerBytes}
     * of state (more for a single larger key).
     */
    public StateExchange(BusRpc rpc, Keyspace keyspace, IntPredicate owned, Duration timeout, int maxAnswerBytes) {
        this.rpc = rpc;
        this.keyspace = keyspace;
        this.owned = owned;
        this.timeout = timeout;
        this.maxAnswerBytes = maxAnswerBytes;
        rpc.serve(DIGESTS, (from, args) -> CompletableFuture.completedFuture(localDigests()));
        rpc.serve(KEYS, (from, args) -> CompletableFuture.completedFuture(sized(serveKeys(args))));
        rpc.serve(MERGE, (from, args) -> serveMerge(args));
        rpc.serve(PARTS, (from, args) -> CompletableFuture.completedFuture(sized(serveParts(args))));
        rpc.serve(PART, (from, args) -> CompletableFuture.completedFuture(sized(servePart(args))));
    }

    /** About the most state bytes one message of {@link #fetchParts}, {@link #nextPart} or a part pushed carries. */
    public int maxAnswerBytes() {
        return maxAnswerBytes;
    }

    /**
     * The largest anti-entropy message (a key-state answer served, or a merge sent, in bytes of its elements) since
     * start: what shows that big slots and keys travel in bounded messages.
     */
    public long largestMessageBytes() {
        return largestMessage.get();
    }

    private byte[][] sized(byte[][] message) {
        long bytes = 0;
        for (byte[] b : message) {
            bytes += b.length;
        }
        largestMessage.accumulateAndGet(bytes, Math::max);
        return message;
    }

    // ------------------------------------------------------------------------------------------------ client side

    /** A peer's non-zero slot digests, per database: {@code result[db][slot]} (0 where the peer has no live key). */
    public CompletableFuture<long[][]> digests(NodeId peer) {
        return rpc.call(peer, DIGESTS, new byte[0][], timeout).thenApply(StateExchange::decodeDigests);
    }

    /** A page of a peer's live keys of {@code slot} after {@code after} (null: from the first), in key order. */
    public CompletableFuture<List<KeyHash>> keyHashes(NodeId peer, int db, int slot, byte[] after, int limit) {
        byte[][] args = {number(db), number(slot), after == null ? new byte[0] : after, number(limit)};
        return rpc.call(peer, KEYS, args, timeout).thenApply(answer -> {
            List<KeyHash> page = new ArrayList<>(answer.length / 2);
            for (int i = 0; i + 1 < answer.length; i += 2) {
                page.add(new KeyHash(answer[i], ByteBuffer.wrap(answer[i + 1]).getLong()));
            }
            return page;
        });
    }

    /**
     * Hands {@code merge} the state {@code peer} stores for each of {@code keys} of {@code db}, in messages of about
     * {@link #maxAnswerBytes()} however large a key (quorum reads): a key's whole state ({@link Keyspace#capture}: a
     * full delta, tombstones included), or a big key's parts in order ({@link #fetchParts}, {@link #nextPart}, every
     * part {@link KeyDelta#sharing sharing} the first's context), each merged before the next is asked for, so no more
     * than about one message of a key is held at a time; nothing for a key the peer does not store. A big key that
     * changes kind or shrinks meanwhile ends with its whole new state, or where it went. {@code merge} runs on
     * {@code executor}; the future completes once the last merge returned.
     */
    public CompletableFuture<Void> fetch(NodeId peer, int db, List<byte[]> keys, Executor executor,
            BiConsumer<byte[], KeyDelta> merge) {
        return fetchParts(peer, db, keys).thenComposeAsync(firsts -> {
            CompletableFuture<Void> rest = CompletableFuture.completedFuture(null);
            for (int i = 0; i < keys.size() && i < firsts.size(); i++) {
                byte[] key = keys.get(i);
                KeyDelta first = firsts.get(i);
                if (first == null) {
                    continue;
                }
                merge.accept(key, first);
                if (first.part() != null) {
                    rest = rest.thenCompose(v -> restOf(peer, db, key, first, first, executor, merge));
                }
            }
            return rest;
        }, executor);
    }

    /** The parts of {@code key} after {@code part}, one call and one merge after the other. */
    private CompletableFuture<Void> restOf(NodeId peer, int db, byte[] key, KeyDelta first, KeyDelta part,
            Executor executor, BiConsumer<byte[], KeyDelta> merge) {
        if (part.part() == null || part.part().last()) {
            return CompletableFuture.completedFuture(null);
        }
        return nextPart(peer, db, key, part.part().upTo()).thenComposeAsync(next -> {
            if (!continues(first, next)) {
                if (next != null && next.part() == null) {
                    merge.accept(key, next); // it shrank: its whole state
                }
                return CompletableFuture.completedFuture(null);
            }
            merge.accept(key, next.sharing(first));
            return restOf(peer, db, key, first, next, executor, merge);
        }, executor);
    }

    /** Whether {@code next} continues the transfer of a big key's parts that began with {@code first}. */
    static boolean continues(KeyDelta first, KeyDelta next) {
        return next != null && next.part() != null && next.meta().type() == first.meta().type();
    }

    /**
     * {@code peer}'s state of each of {@code keys} (null where it stores nothing), except that a key whose state is
     * larger than a message comes as its first part ({@link KeyDelta#part()}); the caller asks for the rest with
     * {@link #nextPart}, or uses {@link #fetch}, which does.
     */
    public CompletableFuture<List<KeyDelta>> fetchParts(NodeId peer, int db, List<byte[]> keys) {
        List<KeyDelta> out = new ArrayList<>(keys.size());
        return fetchFrom(PARTS, peer, db, keys, out).thenApply(v -> Collections.unmodifiableList(out));
    }

    /** The part of {@code peer}'s state of {@code key} after element {@code after}; null if it stores nothing. */
    public CompletableFuture<KeyDelta> nextPart(NodeId peer, int db, byte[] key, byte[] after) {
        return rpc.call(peer, PART, new byte[][] {number(db), key, after}, timeout).thenApply(answer -> {
            if (answer.length != 1) {
                throw new IllegalStateException("node " + peer + " answered " + answer.length + " parts for one");
            }
            return answer[0].length == 0 ? null : KeyDelta.decode(answer[0]);
        });
    }

    private CompletableFuture<Void> fetchFrom(String verb, NodeId peer, int db, List<byte[]> keys,
            List<KeyDelta> out) {
        if (out.size() == keys.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<byte[]> rest = keys.subList(out.size(), keys.size());
        byte[][] args = new byte[1 + rest.size()][];
        args[0] = number(db);
        for (int i = 0; i < rest.size(); i++) {
            args[1 + i] = rest.get(i);
        }
        return rpc.call(peer, verb, args, timeout).thenCompose(answer -> {
            if (answer.length == 0 || answer.length > rest.size()) {
                return CompletableFuture.failedFuture(new IllegalStateException("node " + peer + " answered "
                        + answer.length + " states for " + rest.size() + " keys"));
            }
            for (byte[] state : answer) {
                out.add(state.length == 0 ? null : KeyDelta.decode(state));
            }
            return fetchFrom(verb, peer, db, keys, out);
        });
    }

    /**
     * Has {@code peer} merge {@code deltas} (of {@code keys}, pairwise) into its {@code db}; completes, once they are
     * durable there, with how many changed it.
     */
    public CompletableFuture<Integer> push(NodeId peer, int db, List<byte[]> keys, List<KeyDelta> deltas) {
        byte[][] args = new byte[1 + 2 * keys.size()][];
        args[0] = number(db);
        for (int i = 0; i < keys.size(); i++) {
            args[1 + 2 * i] = keys.get(i);
            args[2 + 2 * i] = deltas.get(i).encode();
        }
        sized(args);
        return rpc.call(peer, MERGE, args, timeout).thenApply(answer -> Integer.parseInt(text(answer[0])));
    }

    // ------------------------------------------------------------------------------------------------ serving side

    /** This node's non-zero slot digests, one encoded element per database. */
    private byte[][] localDigests() {
        byte[][] out = new byte[keyspace.databases()][];
        for (int db = 0; db < out.length; db++) {
            ByteBuffer b = ByteBuffer.allocate(Topology.SLOTS * DIGEST_ENTRY_BYTES);
            for (int slot = 0; slot < Topology.SLOTS; slot++) {
                long d = keyspace.slotDigest(db, slot);
                if (d != 0) {
                    b.putShort((short) slot).putLong(d);
                }
            }
            out[db] = Arrays.copyOf(b.array(), b.position());
        }
        return out;
    }

    static long[][] decodeDigests(byte[][] answer) {
        long[][] digests = new long[answer.length][Topology.SLOTS];
        for (int db = 0; db < answer.length; db++) {
            if (answer[db].length % DIGEST_ENTRY_BYTES != 0) {
                throw new IllegalStateException("a digest vector of " + answer[db].length + " bytes");
            }
            ByteBuffer b = ByteBuffer.wrap(answer[db]);
            while (b.hasRemaining()) {
                int slot = b.getShort() & 0xFFFF;
                if (slot >= Topology.SLOTS) {
                    throw new IllegalStateException("a digest for slot " + slot);
                }
                digests[db][slot] = b.getLong();
            }
        }
        return digests;
    }

    private byte[][] serveKeys(byte[][] args) {
        require(args.length == 4, "AE.KEYS takes db slot after limit");
        int db = database(args[0]);
        int slot = bounded(args[1], Topology.SLOTS - 1, "slot");
        byte[] after = args[2];
        int limit = bounded(args[3], 100_000, "limit");
        List<byte[]> out = new ArrayList<>();
        for (Keyspace.KeyHash kh : keyspace.keyHashes(db, slot, after.length == 0 ? null : after, limit)) {
            out.add(kh.key());
            out.add(ByteBuffer.allocate(8).putLong(kh.hash()).array());
        }
        return out.toArray(byte[][]::new);
    }

    private byte[][] serveParts(byte[][] args) {
        require(args.length >= 2, "AE.PARTS takes db key...");
        int db = database(args[0]);
        List<byte[]> out = new ArrayList<>();
        long bytes = 0;
        for (int i = 1; i < args.length; i++) {
            long left = maxAnswerBytes - bytes;
            if (!out.isEmpty() && left < maxAnswerBytes / 4) {
                break; // a key here would come in small parts: the caller asks again with it first
            }
            KeyDelta d = keyspace.capturePart(db, args[i], null, (int) left);
            byte[] state = d == null ? new byte[0] : d.encode();
            bytes += state.length + args[i].length;
            out.add(state);
        }
        return out.toArray(byte[][]::new);
    }

    private byte[][] servePart(byte[][] args) {
        require(args.length == 3 && args[2].length > 0, "AE.PART takes db key after");
        KeyDelta d = keyspace.capturePart(database(args[0]), args[1], args[2], maxAnswerBytes);
        return new byte[][] {d == null ? new byte[0] : d.encode()};
    }

    private CompletableFuture<byte[][]> serveMerge(byte[][] args) {
        require(args.length >= 3 && args.length % 2 == 1, "AE.MERGE takes db {key delta}...");
        int db = database(args[0]);
        int changed = 0;
        for (int i = 1; i < args.length; i += 2) {
            if (owned.test(KeySlot.of(args[i])) && keyspace.merge(db, args[i], KeyDelta.decode(args[i + 1]))) {
                changed++;
            }
        }
        int n = changed;
        return keyspace.durable().thenApply(v -> new byte[][] {number(n)});
    }

    private int database(byte[] arg) {
        return bounded(arg, keyspace.databases() - 1, "db");
    }

    private static int bounded(byte[] arg, int max, String what) {
        int n;
        try {
            n = Integer.parseInt(text(arg));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid " + what);
        }
        require(n >= 0 && n <= max, what + " " + n + " is out of range 0.." + max);
        return n;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static byte[] number(long n) {
        return Long.toString(n).getBytes(US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, US_ASCII);
    }
}
