package io.hyperkv.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** Test fixtures: node ids, nodes with distinct addresses, random member sets. */
final class Members {

    private Members() {
    }

    static NodeId id(long value) {
        return new NodeId(value);
    }

    static List<NodeId> ids(long... values) {
        List<NodeId> ids = new ArrayList<>();
        for (long v : values) {
            ids.add(new NodeId(v));
        }
        return ids;
    }

    static ClusterNode node(NodeId id) {
        return node(id, NodeState.UP);
    }

    static ClusterNode node(NodeId id, NodeState state) {
        return new ClusterNode(id, "hkv-" + id.shortHex() + ".hkv.default.svc", 6379, 16379, state);
    }

    static List<ClusterNode> nodes(Collection<NodeId> ids) {
        return ids.stream().map(Members::node).toList();
    }

    /** Sets of distinct random 64-bit ids (any bits, as ids from other tools might be) of the given sizes. */
    static Arbitrary<Set<NodeId>> memberSets(int min, int max) {
        return Arbitraries.longs().map(NodeId::new).set().ofMinSize(min).ofMaxSize(max);
    }
}
