package io.hyperkv.cluster.repair;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.store.KeyDelta;
import io.hyperkv.store.Keyspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Repairs the slots of one database against one co-owner whose digests differ: {@link #diff} finds a slot's keys
 * whose state hashes differ (or that one side lacks); {@link #exchange} merges the co-owner's state of a batch of them
 * here, waits until that is durable, and sends this node's joined state back for the co-owner to merge. A key absent
 * on one side is fetched from the other; a tombstone travels like any state (digests and key hashes leave tombstones
 * out, captures do not).
 *
 * <p>Memory: the co-owner's key hashes of one slot, paged in; the keys of one batch and their states.
 */
final class SlotRepair {

    /** The differing keys of a slot and how many key hashes were compared to find them. */
    record Diff(List<byte[]> keys, long keysCompared) {
    }

    private final StateExchange exchange;
    private final Keyspace store;
    private final AntiEntropy.Settings settings;
    private final NodeId peer;
    private final int db;

    SlotRepair(StateExchange exchange, Keyspace store, AntiEntropy.Settings settings, NodeId peer, int db) {
        this.exchange = exchange;
        this.store = store;
        this.settings = settings;
        this.peer = peer;
        this.db = db;
    }

    Diff diff(int slot) throws ExecutionException, InterruptedException, TimeoutException {
        Map<byte[], Long> theirs = theirHashes(slot);
        long compared = theirs.size();
        List<byte[]> differing = new ArrayList<>();
        for (Keyspace.KeyHash mine : store.keyHashes(db, slot)) {
            Long hash = theirs.remove(mine.key());
            if (hash == null || hash != mine.hash()) {
                differing.add(mine.key());
            }
            if (hash == null) {
                compared++;
            }
        }
        differing.addAll(theirs.keySet()); // keys only the co-owner holds live
        return new Diff(differing, compared);
    }

    /** The co-owner's live keys of the slot and their state hashes, by key (unsigned byte order). */
    private Map<byte[], Long> theirHashes(int slot) throws ExecutionException, InterruptedException,
            TimeoutException {
        Map<byte[], Long> theirs = new TreeMap<>(Arrays::compareUnsigned);
        byte[] after = null;
        while (true) {
            List<StateExchange.KeyHash> page = AntiEntropy.get(exchange.keyHashes(peer, db, slot, after,
                    settings.keysPerPage()));
            for (StateExchange.KeyHash kh : page) {
                theirs.put(kh.key(), kh.hash());
            }
            if (page.size() < settings.keysPerPage()) {
                return theirs;
            }
            after = page.get(page.size() - 1).key();
        }
    }

    /** Both ways for one batch; returns the keys whose merge changed this node. */
    List<byte[]> exchange(List<byte[]> keys) throws ExecutionException, InterruptedException, TimeoutException {
        List<KeyDelta> theirs = AntiEntropy.get(exchange.fetch(peer, db, keys));
        List<byte[]> changed = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            KeyDelta d = theirs.get(i);
            if (d != null && store.merge(db, keys.get(i), d)) {
                changed.add(keys.get(i));
            }
        }
        AntiEntropy.get(store.durable());
        List<byte[]> sendKeys = new ArrayList<>(keys.size());
        List<KeyDelta> send = new ArrayList<>(keys.size());
        for (byte[] key : keys) {
            KeyDelta mine = store.capture(db, key);
            if (mine != null) {
                sendKeys.add(key);
                send.add(mine);
            }
        }
        if (!send.isEmpty()) {
            AntiEntropy.get(exchange.push(peer, db, sendKeys, send));
        }
        return changed;
    }
}
