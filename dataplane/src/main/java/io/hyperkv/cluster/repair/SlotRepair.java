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
 * Repairs one slot of one database against one co-owner whose digest differs: finds the keys whose state hashes
 * differ (or that one side lacks), then, batch by batch, merges the co-owner's state of them here, waits until that is
 * durable, and sends this node's joined state back for the co-owner to merge. A key absent on one side is fetched
 * from the other; a tombstone travels like any state (digests and key hashes leave tombstones out, captures do not).
 *
 * <p>Memory: the co-owner's key hashes of the slot, paged in; the keys of one batch and their states.
 */
final class SlotRepair {

    record Result(long keysCompared, long keysRepaired, long keysChangedHere) {
    }

    private final StateExchange exchange;
    private final Keyspace store;
    private final AntiEntropy.Settings settings;
    private final NodeId peer;
    private final int db;
    private final int slot;

    SlotRepair(StateExchange exchange, Keyspace store, AntiEntropy.Settings settings, NodeId peer, int db, int slot) {
        this.exchange = exchange;
        this.store = store;
        this.settings = settings;
        this.peer = peer;
        this.db = db;
        this.slot = slot;
    }

    Result run() throws ExecutionException, InterruptedException, TimeoutException {
        Map<byte[], Long> theirs = theirHashes();
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
        long changed = 0;
        for (int i = 0; i < differing.size(); i += settings.keysPerCall()) {
            changed += exchange(differing.subList(i, Math.min(differing.size(), i + settings.keysPerCall())));
        }
        return new Result(compared, differing.size(), changed);
    }

    /** The co-owner's live keys of the slot and their state hashes, by key (unsigned byte order). */
    private Map<byte[], Long> theirHashes() throws ExecutionException, InterruptedException, TimeoutException {
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

    /** Both ways for one batch; returns how many keys changed here. */
    private long exchange(List<byte[]> keys) throws ExecutionException, InterruptedException, TimeoutException {
        List<KeyDelta> theirs = AntiEntropy.get(exchange.fetch(peer, db, keys));
        long changed = 0;
        for (int i = 0; i < keys.size(); i++) {
            KeyDelta d = theirs.get(i);
            if (d != null && store.merge(db, keys.get(i), d)) {
                changed++;
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
