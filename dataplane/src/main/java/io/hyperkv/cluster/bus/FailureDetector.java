package io.hyperkv.cluster.bus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Local failure detection from heartbeat answers (DESIGN.md section 5): a peer heard from is {@link PeerState#UP};
 * silent for {@code suspectAfterMillis} it becomes {@link PeerState#SUSPECT}, for {@code downAfterMillis}
 * {@link PeerState#DOWN}; the next message makes it UP again. A peer never heard from is DOWN.
 *
 * <p>Time is passed in (milliseconds of a monotonic clock) so tests drive it by hand. Every change of state is returned
 * once as a {@link Transition}, so the caller logs it once. Not thread-safe: owned by the bus thread.
 *
 * @param <K> how peers are named (the bus uses the address it dials)
 */
public final class FailureDetector<K> {

    /** One change of a peer's state; {@code silentMillis} is how long it had been silent (0 when heard). */
    public record Transition<K>(K peer, PeerState from, PeerState to, long silentMillis) {
    }

    private static final class Entry {
        long lastHeard;
        boolean everHeard;
        PeerState state = PeerState.DOWN;
    }

    private final long suspectAfterMillis;
    private final long downAfterMillis;
    private final Map<K, Entry> peers = new LinkedHashMap<>();

    public FailureDetector(long suspectAfterMillis, long downAfterMillis) {
        if (suspectAfterMillis <= 0 || downAfterMillis <= suspectAfterMillis) {
            throw new IllegalArgumentException("need 0 < suspectAfter < downAfter, got " + suspectAfterMillis + " and "
                    + downAfterMillis);
        }
        this.suspectAfterMillis = suspectAfterMillis;
        this.downAfterMillis = downAfterMillis;
    }

    public long suspectAfterMillis() {
        return suspectAfterMillis;
    }

    public long downAfterMillis() {
        return downAfterMillis;
    }

    /** Starts watching a peer (DOWN until heard); watching it again changes nothing. */
    public void track(K peer) {
        peers.computeIfAbsent(peer, p -> new Entry());
    }

    public void untrack(K peer) {
        peers.remove(peer);
    }

    /** Records a message from the peer; returns the transition to UP if it was not UP. */
    public Transition<K> heard(K peer, long now) {
        Entry e = peers.computeIfAbsent(peer, p -> new Entry());
        e.lastHeard = now;
        e.everHeard = true;
        if (e.state == PeerState.UP) {
            return null;
        }
        PeerState from = e.state;
        e.state = PeerState.UP;
        return new Transition<>(peer, from, PeerState.UP, 0);
    }

    /** Applies the silence rule at {@code now}; returns the peers whose state changed. */
    public List<Transition<K>> evaluate(long now) {
        List<Transition<K>> changes = new ArrayList<>();
        for (Map.Entry<K, Entry> me : peers.entrySet()) {
            Entry e = me.getValue();
            if (!e.everHeard || e.state == PeerState.DOWN) {
                continue;
            }
            long silent = now - e.lastHeard;
            PeerState next = silent >= downAfterMillis ? PeerState.DOWN
                    : silent >= suspectAfterMillis ? PeerState.SUSPECT : PeerState.UP;
            if (next.ordinal() > e.state.ordinal()) {
                changes.add(new Transition<>(me.getKey(), e.state, next, silent));
                e.state = next;
            }
        }
        return changes;
    }

    public PeerState state(K peer) {
        Entry e = peers.get(peer);
        return e == null ? PeerState.DOWN : e.state;
    }

    /** Milliseconds since the peer was last heard, or -1 if never. */
    public long silentMillis(K peer, long now) {
        Entry e = peers.get(peer);
        return e == null || !e.everHeard ? -1 : now - e.lastHeard;
    }
}
