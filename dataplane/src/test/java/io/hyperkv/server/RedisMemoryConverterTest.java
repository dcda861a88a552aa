package io.hyperkv.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** hyperkv.proto-max-bulk-len and friends accept byte counts the way redis.conf writes them. */
class RedisMemoryConverterTest {

    @Test
    void unitsFollowRedisConf() {
        assertThat(RedisMemoryConverter.parse("512mb")).isEqualTo(512L * 1024 * 1024);
        assertThat(RedisMemoryConverter.parse("1GB")).isEqualTo(1L << 30);
        assertThat(RedisMemoryConverter.parse("64kb")).isEqualTo(65536);
        assertThat(RedisMemoryConverter.parse("1k")).isEqualTo(1000);
        assertThat(RedisMemoryConverter.parse("2m")).isEqualTo(2_000_000);
        assertThat(RedisMemoryConverter.parse("3g")).isEqualTo(3_000_000_000L);
        assertThat(RedisMemoryConverter.parse("100000")).isEqualTo(100000);
        assertThat(RedisMemoryConverter.parse(" 7b ")).isEqualTo(7);
    }

    @Test
    void garbageAndNegativeValuesAreRefusedWithTheText() {
        assertThatThrownBy(() -> RedisMemoryConverter.parse("lots")).hasMessageContaining("'lots'");
        assertThatThrownBy(() -> RedisMemoryConverter.parse("-1mb")).hasMessageContaining("negative");
        assertThatThrownBy(() -> RedisMemoryConverter.parse("12xb")).hasMessageContaining("'12xb'");
    }
}
