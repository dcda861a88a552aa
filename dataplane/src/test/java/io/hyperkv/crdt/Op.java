package io.hyperkv.crdt;

import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * One user operation on a CRDT for the property tests: how a replica turns it into a delta, and
 * what a single-copy Redis would do to the observable view {@code V}.
 */
record Op<S extends Crdt<S>, V>(String name, BiFunction<S, Clock, S> delta, UnaryOperator<V> model) {

    @Override
    public String toString() {
        return name;
    }
}
