package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.hyperkv.store.Metadata;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * SADD of a member already in the set and ZADD of a member at the score it has: Redis counts nothing and writes
 * nothing, and so does a single node. In cluster mode (a {@code DeltaSink} set) both re-add the member under a fresh
 * dot and ship it, so that an SREM/ZREM of it on another replica at the same time does not remove it (add-wins,
 * DESIGN.md; the convergence itself is shown in {@code CollectionReplicationTest}).
 */
class ReplicatedCollectionCommandsTest extends CommandHarnessTest {

    private Metadata meta(String key) {
        return h.ks.read(0, key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aSingleNodeWritesNothingForAPresentMember() {
        h.expect(":2", "SADD", "s", "x", "y");
        h.expect(":1", "ZADD", "z", "1", "x");
        Metadata set = meta("s");
        Metadata zset = meta("z");
        h.expect(":0", "SADD", "s", "x");
        h.expect(":0", "ZADD", "z", "1", "x");
        assertThat(meta("s").stamp()).isEqualTo(set.stamp());
        assertThat(meta("z").stamp()).isEqualTo(zset.stamp());
    }

    @Test
    void aReplicatingNodeReAddsAPresentMemberUnderAFreshDot() {
        List<String> shipped = new ArrayList<>();
        h.ks.deltaSink((db, key, slot, delta) -> shipped.add(new String(key, StandardCharsets.UTF_8)
                + delta.elements().size()));
        h.expect(":2", "SADD", "s", "x", "y");
        h.expect(":1", "ZADD", "z", "1", "x");
        shipped.clear();
        Metadata set = meta("s");
        Metadata zset = meta("z");
        h.expect(":0", "SADD", "s", "x");
        h.expect(":0", "ZADD", "z", "1", "x");
        h.expect(":0", "ZADD", "z", "CH", "1", "x");
        assertThat(shipped).as("key and rows named by each delta").containsExactly("s1", "z1", "z1");
        assertThat(meta("s").stamp()).isNotEqualTo(set.stamp());
        assertThat(meta("s").context()).isNotEqualTo(set.context());
        assertThat(meta("z").context()).isNotEqualTo(zset.context());
        h.expect(":2", "SCARD", "s");
        h.expect(":1", "ZCARD", "z");
        h.expect("\"1\"", "ZSCORE", "z", "x");
    }
}
