package io.hyperkv.crdt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Redis set: an add-wins observed-remove set with dots and no per-element tombstones. Each member
 * maps to the dots of the SADDs that added it; SREM removes the dots it has seen, so an SADD the
 * removing replica had not seen keeps the member (SADD ∥ SREM → present). Immutable.
 */
public record OrSet(DotMap<Bytes, Boolean> store, CausalContext context) implements CausalCrdt<OrSet> {

    public static final OrSet EMPTY = new OrSet(DotMap.empty(), CausalContext.EMPTY);

    public OrSet {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(context, "context");
    }

    public boolean contains(Bytes member) {
        return store.containsKey(member);
    }

    public int size() {
        return store.size();
    }

    @Override
    public boolean isEmpty() {
        return store.isEmpty();
    }

    /** Members in unsigned lexicographic order. */
    public List<Bytes> members() {
        List<Bytes> out = new ArrayList<>(store.size());
        store.keys().forEach(out::add);
        return out;
    }

    /** SADD: the delta adding {@code members}, each under a new dot that replaces its seen dots. */
    public OrSet add(Collection<Bytes> members, Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        SortedMap<Bytes, DotFun<Boolean>> out = new TreeMap<>();
        for (Bytes m : members) {
            if (out.containsKey(m)) {
                continue;
            }
            minter.cover(store.get(m).dots());
            out.put(m, DotFun.of(minter.mint(), Boolean.TRUE));
        }
        return new OrSet(DotMap.wrap(out), minter.context());
    }

    public OrSet add(Bytes member, Clock clock) {
        return add(List.of(member), clock);
    }

    /** SREM: the delta removing the dots of {@code members} this replica has seen. */
    public OrSet remove(Collection<Bytes> members, Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        for (Bytes m : members) {
            minter.cover(store.get(m).dots());
        }
        return new OrSet(DotMap.empty(), minter.context());
    }

    @Override
    public OrSet clear(Clock clock) {
        DotMinter minter = new DotMinter(context, clock);
        for (Map.Entry<Bytes, DotFun<Boolean>> e : store) {
            minter.cover(e.getValue().dots());
        }
        return new OrSet(DotMap.empty(), minter.context());
    }

    @Override
    public OrSet merge(OrSet other) {
        return new OrSet(DotMap.join(store, context, other.store, other.context), context.union(other.context));
    }
}
