package io.hyperkv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.RocksDbEngine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The topology in force survives a reopen of a real RocksDB store, and a persist failure installs nothing. */
class TopologyStoreTest {

    @TempDir
    Path dir;

    private static Topology topology(long epoch) {
        List<NodeId> ids = Members.ids(11, 22, 33);
        return Placement.standard().topology(epoch, Members.nodes(ids), 2);
    }

    @Test
    void anInstalledTopologyIsThereAfterReopening() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            TopologyStore store = new TopologyStore(e);
            assertThat(store.load()).isEmpty();
            CurrentTopology current = new CurrentTopology(null);
            assertThat(current.offer(topology(3), store::persist).outcome())
                    .isEqualTo(CurrentTopology.Outcome.INSTALLED);
            // A stale offer is not persisted over the newer document.
            assertThat(current.offer(topology(2), store::persist).outcome()).isEqualTo(CurrentTopology.Outcome.STALE);
        }
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            CurrentTopology restored = new CurrentTopology(new TopologyStore(e).load().orElse(null));
            assertThat(restored.get()).contains(topology(3));
            assertThat(restored.offer(topology(3)).outcome()).isEqualTo(CurrentTopology.Outcome.ALREADY_IN_FORCE);
        }
    }

    @Test
    void anUnreadableStoredTopologyStopsTheLoadWithWhereItIs() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            e.put(ColumnFamily.SYS, TopologyStore.KEY, "{\"epoch\":".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> new TopologyStore(e).load()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("column family sys, key \"topology\"").hasMessageContaining("not valid JSON");
        }
    }

    @Test
    void aFailedPersistLeavesTheTopologyInForceUnchanged() {
        try (Engine e = RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO))) {
            TopologyStore store = new TopologyStore(e);
            CurrentTopology current = new CurrentTopology(null);
            current.offer(topology(1), store::persist);
            assertThatThrownBy(() -> current.offer(topology(2), t -> {
                throw new IllegalStateException("disk full");
            })).hasMessage("disk full");
            assertThat(current.epoch()).isEqualTo(1);
            assertThat(store.load()).contains(topology(1));
        }
    }
}
