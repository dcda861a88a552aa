package io.hyperkv.cluster.repair;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.Keyspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Repairs the slots of one database against one co-owner whose digests differ: {@link #diff} finds a slot's keys
 * whose state hashes differ (or that one side lacks); {@link #exchange} merges the co-owner's state of a batch of them
 * here, waits until that is durable, and sends this node's joined state back for the co-owner to merge. A key absent
 * on one side is fetched from the other; a tombstone travels like any state (digests and key hashes leave tombstones
 * out, captures do not).
 *
 * <h2>Bounded by page and part, not by slot or key</h2>
 * {@link #diff} walks both sides' key hashes in key order a page at a time ({@link AntiEntropy.Settings#keysPerPage()}
 * from each side, a merge join) and hands each differing key on at once, so a slot of millions of keys never sits in
 * memory. A key's state travels whole when it fits in a message ({@link StateExchange#maxAnswerBytes()}), else in
 * parts of consecutive element ranges ({@link KeyDelta.Part}), each merged on its own and carrying the first part's
 * causal context; a key that changes type or goes away during its transfer ends the transfer with its new whole state
 * (the next round finishes it otherwise).
 *
 * <p>Memory: a page of key hashes from each side, the keys of one batch, and the states of one message.
 */
final class SlotRepair {

    /** Receives the differing keys of a slot; returns false to stop the walk (the slot is then unfinished). */
    @FunctionalInterface
    interface KeySink {
        boolean accept(byte[] key) throws ExecutionException, InterruptedException, TimeoutException;
    }

    /** A walk over a slot: how many key hashes it compared, and whether it reached the slot's end. */
    record Diff(long keysCompared, boolean complete) {
    }

    private final StateExchange exchange;
    private final Keyspace store;
    private final AntiEntropy.Settings settings;
    private final NodeId peer;
    private final int db;
    private long parts;
    /** First key pages asked for ahead ({@link #ask}), by slot; the walk of the slot takes its page from here. */
    private final Map<Integer, CompletableFuture<List<StateExchange.KeyHash>>> asked = new HashMap<>();

    SlotRepair(StateExchange exchange, Keyspace store, AntiEntropy.Settings settings, NodeId peer, int db) {
        this.exchange = exchange;
        this.store = store;
        this.settings = settings;
        this.peer = peer;
        this.db = db;
    }

    /** Parts of big keys sent or received so far (a key sent whole counts none). */
    long parts() {
        return parts;
    }

    /**
     * Asks the co-owner for the first key page of {@code slot} now, for a later {@link #diff} of it; nothing when
     * already asked, or when {@code empty} (its digest says it holds no live key there).
     */
    void ask(int slot, boolean empty) {
        asked.computeIfAbsent(slot, s -> empty ? CompletableFuture.completedFuture(List.of())
                : exchange.keyHashes(peer, db, s, null, settings.keysPerPage()));
    }

    /** Hands every key of {@code slot} whose state hash differs between the two sides (or one side lacks) to {@code sink}. */
    Diff diff(int slot, KeySink sink) throws ExecutionException, InterruptedException, TimeoutException {
        Pages theirs = new Pages(slot, true);
        theirs.first = asked.remove(slot);
        Pages mine = new Pages(slot, false);
        long compared = 0;
        while (true) {
            Keyspace.KeyHash t = theirs.peek();
            Keyspace.KeyHash m = mine.peek();
            if (t == null && m == null) {
                return new Diff(compared, true);
            }
            int c = t == null ? 1 : m == null ? -1 : Arrays.compareUnsigned(t.key(), m.key());
            byte[] differing = null;
            if (c < 0) {
                differing = t.key(); // only the co-owner holds it live
                theirs.advance();
            } else if (c > 0) {
                differing = m.key(); // only this node holds it live
                mine.advance();
            } else {
                if (t.hash() != m.hash()) {
                    differing = m.key();
                }
                theirs.advance();
                mine.advance();
            }
            compared++;
            if (differing != null && !sink.accept(differing)) {
                return new Diff(compared, false);
            }
        }
    }

    /** One side's key hashes of a slot, a page at a time, in key order. */
    private final class Pages {
        private final int slot;
        private final boolean remote;
        private List<Keyspace.KeyHash> page = List.of();
        private int at;
        private byte[] after;
        private boolean ended;
        private CompletableFuture<List<StateExchange.KeyHash>> first;

        Pages(int slot, boolean remote) {
            this.slot = slot;
            this.remote = remote;
        }

        Keyspace.KeyHash peek() throws ExecutionException, InterruptedException, TimeoutException {
            if (at == page.size() && !ended) {
                int limit = settings.keysPerPage();
                page = remote ? fetch(limit) : store.keyHashes(db, slot, after, limit);
                at = 0;
                ended = page.size() < limit;
                if (!page.isEmpty()) {
                    after = page.get(page.size() - 1).key();
                }
            }
            return at < page.size() ? page.get(at) : null;
        }

        void advance() {
            at++;
        }

        private List<Keyspace.KeyHash> fetch(int limit) throws ExecutionException, InterruptedException,
                TimeoutException {
            CompletableFuture<List<StateExchange.KeyHash>> call = first != null ? first
                    : exchange.keyHashes(peer, db, slot, after, limit);
            first = null;
            List<StateExchange.KeyHash> got = AntiEntropy.get(call);
            List<Keyspace.KeyHash> out = new ArrayList<>(got.size());
            for (StateExchange.KeyHash kh : got) {
                out.add(new Keyspace.KeyHash(kh.key(), kh.hash()));
            }
            return out;
        }
    }

    /** Both ways for one batch; returns the keys whose merge changed this node. */
    List<byte[]> exchange(List<byte[]> keys) throws ExecutionException, InterruptedException, TimeoutException {
        List<KeyDelta> theirs = AntiEntropy.get(exchange.fetchParts(peer, db, keys));
        List<byte[]> changed = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            KeyDelta d = theirs.get(i);
            if (d != null && (d.part() == null ? store.merge(db, keys.get(i), d) : pull(keys.get(i), d))) {
                changed.add(keys.get(i));
            }
        }
        AntiEntropy.get(store.durable());
        push(keys);
        return changed;
    }

    /** Merges the co-owner's state of a big key here, part after part from its {@code first}; whether it changed. */
    private boolean pull(byte[] key, KeyDelta first) throws ExecutionException, InterruptedException,
            TimeoutException {
        boolean changed = store.merge(db, key, first);
        parts++;
        KeyDelta part = first;
        while (!part.part().last()) {
            KeyDelta next = AntiEntropy.get(exchange.nextPart(peer, db, key, part.part().upTo()));
            if (!StateExchange.continues(first, next)) {
                return next != null && next.part() == null ? store.merge(db, key, next) || changed : changed;
            }
            changed |= store.merge(db, key, next.sharing(first));
            parts++;
            part = next;
        }
        return changed;
    }

    /**
     * Sends this node's state of {@code keys} to the co-owner: whole states together in messages of about
     * {@link StateExchange#maxAnswerBytes()} (and at most a batch of keys), big keys part after part.
     */
    private void push(List<byte[]> keys) throws ExecutionException, InterruptedException, TimeoutException {
        int bound = exchange.maxAnswerBytes();
        List<byte[]> batchKeys = new ArrayList<>();
        List<KeyDelta> batch = new ArrayList<>();
        long bytes = 0;
        for (byte[] key : keys) {
            long left = bound - bytes;
            if (!batch.isEmpty() && left < bound / 4) {
                send(batchKeys, batch);
                bytes = 0;
                left = bound;
            }
            KeyDelta mine = store.capturePart(db, key, null, (int) left);
            if (mine == null) {
                continue;
            }
            if (mine.part() == null) {
                batchKeys.add(key);
                batch.add(mine);
                bytes += mine.encodedLength() + key.length;
                continue;
            }
            send(batchKeys, batch);
            bytes = 0;
            if (left < bound) {
                mine = store.capturePart(db, key, null, bound); // the first part as large as a message allows
            }
            pushParts(key, mine);
        }
        send(batchKeys, batch);
    }

    private void pushParts(byte[] key, KeyDelta first) throws ExecutionException, InterruptedException,
            TimeoutException {
        sendOne(key, first);
        KeyDelta part = first;
        while (part.part() != null && !part.part().last()) {
            parts++;
            KeyDelta next = store.capturePart(db, key, part.part().upTo(), exchange.maxAnswerBytes());
            if (!StateExchange.continues(first, next)) {
                if (next != null && next.part() == null) {
                    sendOne(key, next);
                }
                return;
            }
            sendOne(key, next.sharing(first));
            part = next;
        }
        if (part.part() != null) {
            parts++;
        }
    }

    private void sendOne(byte[] key, KeyDelta delta) throws ExecutionException, InterruptedException,
            TimeoutException {
        AntiEntropy.get(exchange.push(peer, db, List.of(key), List.of(delta)));
    }

    /** Pushes and empties the batch (nothing when empty). */
    private void send(List<byte[]> keys, List<KeyDelta> deltas) throws ExecutionException, InterruptedException,
            TimeoutException {
        if (!keys.isEmpty()) {
            AntiEntropy.get(exchange.push(peer, db, keys, deltas));
            keys.clear();
            deltas.clear();
        }
    }
}
