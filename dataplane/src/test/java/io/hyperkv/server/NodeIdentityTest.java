package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.cluster.NodeId;
import io.hyperkv.store.ColumnFamily;
import io.hyperkv.store.Engine;
import io.hyperkv.store.EngineOptions;
import io.hyperkv.store.Fsync;
import io.hyperkv.store.RocksDbEngine;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The node id of a data directory on a real RocksDB store: chosen once, honoured when configured, then kept. */
class NodeIdentityTest {

    @TempDir
    Path dir;

    private Engine open() {
        return RocksDbEngine.open(EngineOptions.of(dir, Fsync.NO));
    }

    @Test
    void aGeneratedIdIsKeptAcrossReopensAndPrintsAs40Hex() {
        NodeId first;
        try (Engine e = open()) {
            NodeIdentity identity = NodeIdentity.load(e, Optional.empty());
            first = identity.nodeId();
            assertThat(first.value()).isPositive();
            assertThat(identity.nodeIdHex()).hasSize(40).matches("0{24}[0-9a-f]{16}").isEqualTo(first.hex());
        }
        try (Engine e = open()) {
            assertThat(NodeIdentity.load(e, Optional.empty()).nodeId()).isEqualTo(first);
            // Configuring the id the directory already has is fine.
            assertThat(NodeIdentity.load(e, Optional.of(first)).nodeId()).isEqualTo(first);
        }
    }

    @Test
    void aConfiguredIdIsUsedOnFirstStartAndKeptWhenTheKeyIsLaterRemoved() {
        NodeId configured = NodeId.parse("00000000000000000000000000000000c0ffee01");
        try (Engine e = open()) {
            assertThat(NodeIdentity.load(e, Optional.of(configured)).nodeId()).isEqualTo(configured);
        }
        try (Engine e = open()) {
            assertThat(NodeIdentity.load(e, Optional.empty()).nodeId()).isEqualTo(configured);
            assertThat(e.get(ColumnFamily.SYS, NodeIdentity.NODE_ID)).hasSize(8);
        }
    }

    @Test
    void aConfiguredIdThatDiffersFromTheStoredOneStopsStartUp() {
        NodeId stored;
        try (Engine e = open()) {
            stored = NodeIdentity.load(e, Optional.empty()).nodeId();
        }
        NodeId other = new NodeId(stored.value() ^ 1);
        try (Engine e = open()) {
            assertThatThrownBy(() -> NodeIdentity.load(e, Optional.of(other)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("hyperkv.cluster.node-id=" + other.hex())
                    .hasMessageContaining("belongs to node " + stored.hex());
            assertThat(NodeIdentity.load(e, Optional.empty()).nodeId()).isEqualTo(stored);
        }
    }
}
