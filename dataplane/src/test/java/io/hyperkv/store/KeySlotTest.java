package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeySlotTest {

    private static int slot(String key) {
        return KeySlot.of(key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void crc16MatchesTheRedisClusterSpecificationVector() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(KeySlot.crc16(b, 0, b.length)).isEqualTo(0x31C3);
    }

    @Test
    void slotsOfKnownKeysMatchRedisClusterKeyslot() {
        assertThat(slot("foo")).isEqualTo(12182);
        assertThat(slot("bar")).isEqualTo(5061);
        assertThat(slot("hello")).isEqualTo(866);
        assertThat(slot("somekey")).isEqualTo(11058);
        assertThat(slot("")).isEqualTo(0);
    }

    @Test
    void hashTagsFollowRedisRules() {
        assertThat(slot("{user1000}.following")).isEqualTo(slot("{user1000}.followers")).isEqualTo(slot("user1000"));
        // first '{' and the first '}' after it; an empty tag hashes the whole key
        assertThat(slot("foo{}{bar}")).isEqualTo(KeySlot.crc16("foo{}{bar}".getBytes(), 0, 10) & 16383);
        assertThat(slot("foo{{bar}}zap")).isEqualTo(slot("{bar"));
        assertThat(slot("foo{bar}{zap}")).isEqualTo(slot("bar"));
        assertThat(slot("foo{bar")).isEqualTo(KeySlot.crc16("foo{bar".getBytes(), 0, 7) & 16383);
    }
}
