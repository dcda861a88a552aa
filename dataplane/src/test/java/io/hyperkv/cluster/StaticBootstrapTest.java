package io.hyperkv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StaticBootstrapTest {

    private static final List<PeerAddress> PEERS = PeerAddress.parseList(
            "hkv-0.hkv:16379,hkv-1.hkv:16379,hkv-2.hkv:16379,hkv-3.hkv:16379");

    private static Map<PeerAddress, StaticBootstrap.Introduction> everyoneNew() {
        Map<PeerAddress, StaticBootstrap.Introduction> intros = new HashMap<>();
        long[] ids = {0x5c1e0a3f9d2b7e41L, 0x1f3a5c7e9b2d4f60L, 0x7d40e2b1c8a95f13L, 0x29c2f4e6b8d01357L};
        for (int i = 0; i < PEERS.size(); i++) {
            intros.put(PEERS.get(i), new StaticBootstrap.Introduction(new NodeId(ids[i]), 6379, Optional.empty()));
        }
        return intros;
    }

    @Test
    void everyMemberComputesTheSameEpochOneDocumentWhateverTheOrder() {
        Map<PeerAddress, StaticBootstrap.Introduction> intros = everyoneNew();
        Topology reference = StaticBootstrap.decide(PEERS, intros, 3).orElseThrow();
        assertThat(reference.epoch()).isEqualTo(1);
        assertThat(reference.replicationFactor()).isEqualTo(3);
        assertThat(reference.nodes()).extracting(ClusterNode::host)
                .containsExactlyInAnyOrder("hkv-0.hkv", "hkv-1.hkv", "hkv-2.hkv", "hkv-3.hkv");
        assertThat(reference.nodes()).allSatisfy(n -> {
            assertThat(n.state()).isEqualTo(NodeState.UP);
            assertThat(n.busPort()).isEqualTo(16379);
            assertThat(n.port()).isEqualTo(6379);
        });
        List<NodeId> members = intros.values().stream().map(StaticBootstrap.Introduction::id).toList();
        assertThat(reference.ranges()).isEqualTo(Placement.standard().assign(members, 3));

        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            List<PeerAddress> shuffled = new ArrayList<>(PEERS);
            Collections.shuffle(shuffled, random);
            Map<PeerAddress, StaticBootstrap.Introduction> reordered = new LinkedHashMap<>();
            shuffled.forEach(p -> reordered.put(p, intros.get(p)));
            Topology other = StaticBootstrap.decide(shuffled, reordered, 3).orElseThrow();
            assertThat(TopologyCodec.encode(other)).isEqualTo(TopologyCodec.encode(reference));
            assertThat(new CurrentTopology(reference).offer(other).outcome())
                    .isEqualTo(CurrentTopology.Outcome.ALREADY_IN_FORCE);
        }
    }

    @Test
    void noDocumentUntilEveryListedPeerHasIntroducedItself() {
        Map<PeerAddress, StaticBootstrap.Introduction> intros = everyoneNew();
        intros.remove(PEERS.get(2));
        intros.put(new PeerAddress("stranger", 16379),
                new StaticBootstrap.Introduction(new NodeId(99), 6379, Optional.empty()));
        assertThat(StaticBootstrap.decide(PEERS, intros, 3)).isEmpty();
    }

    @Test
    void aTopologyAnyPeerHasWinsTheHighestEpochFirst() {
        Map<PeerAddress, StaticBootstrap.Introduction> intros = everyoneNew();
        Topology first = StaticBootstrap.decide(PEERS, intros, 3).orElseThrow();
        Topology later = first.withEpoch(7);
        intros.put(PEERS.get(1), new StaticBootstrap.Introduction(intros.get(PEERS.get(1)).id(), 6379,
                Optional.of(first)));
        intros.put(PEERS.get(3), new StaticBootstrap.Introduction(intros.get(PEERS.get(3)).id(), 6379,
                Optional.of(later)));
        assertThat(StaticBootstrap.decide(PEERS, intros, 3)).contains(later);
        // A restarted member adopts the cluster's document even while other peers are still silent.
        intros.remove(PEERS.get(0));
        assertThat(StaticBootstrap.decide(PEERS, intros, 3)).contains(later);
    }

    @Test
    void twoPeersClaimingOneIdAreAConfigurationError() {
        Map<PeerAddress, StaticBootstrap.Introduction> intros = everyoneNew();
        intros.put(PEERS.get(3), intros.get(PEERS.get(0)));
        assertThatThrownBy(() -> StaticBootstrap.decide(PEERS, intros, 3)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("both claim node id 0000000000000000000000005c1e0a3f9d2b7e41");
    }

    @Test
    void aReplicationFactorAboveThePeerCountIsRefused() {
        assertThatThrownBy(() -> StaticBootstrap.decide(PEERS, everyoneNew(), 5))
                .isInstanceOf(InvalidTopologyException.class).hasMessageContaining("replicationFactor 5");
    }
}
