package io.hyperkv.crdt;

import java.util.ArrayList;
import java.util.List;

/**
 * Mints the dots of one delta: one clock tick per dot, counters continuing the node's lifetime on
 * the key (see {@link CausalContext}), and collects the dots the delta's context must hold.
 * Single-use, not thread-safe.
 */
final class DotMinter {

    private final Clock clock;
    private final List<Dot> covered = new ArrayList<>();
    private final CausalContext context;
    private long max;
    private Stamp last;

    DotMinter(CausalContext context, Clock clock) {
        this.clock = clock;
        this.context = context;
    }

    /** A fresh stamp and the next dot; both land in the delta. */
    Dot mint() {
        Stamp stamp = tick();
        if (max == Long.MAX_VALUE) {
            throw new IllegalStateException("dot counter exhausted for node " + Long.toUnsignedString(stamp.node()));
        }
        // the first dot follows the key's context and the restart floor; the rest of this delta continue it
        Dot dot = max > 0 ? new Dot(stamp.node(), max + 1) : context.nextDot(stamp, clock.restartFloor());
        max = dot.counter();
        covered.add(dot);
        return dot;
    }

    /** The stamp of the latest tick, ticking once if nothing was minted yet. */
    Stamp stamp() {
        return last == null ? tick() : last;
    }

    Stamp tick() {
        Stamp s = clock.next();
        if (s.node() != clock.nodeId()) {
            throw new IllegalStateException("clock issued a stamp for another node");
        }
        last = s;
        return s;
    }

    /** Marks {@code dots} as seen by the delta: the merge drops them unless the delta re-adds them. */
    void cover(Iterable<Dot> dots) {
        dots.forEach(covered::add);
    }

    CausalContext context() {
        return CausalContext.of(stamp(), covered);
    }
}
