package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** client-output-buffer-limit: parsing, merging and the canonical form, checked against redis-server 7.0.15's answers. */
class OutputBufferLimitsTest {

    @Test
    void defaultsAreRedisDefaults() {
        OutputBufferLimits l = OutputBufferLimits.parse(OutputBufferLimits.DEFAULT);
        assertThat(l.normal().unbounded()).isTrue();
        assertThat(l.pubsub()).isEqualTo(new OutputBufferLimits.Limit(32L << 20, 8L << 20, 60));
        assertThat(l.format()).isEqualTo(OutputBufferLimits.DEFAULT);
    }

    @Test
    void aSetNamesSomeClassesAndKeepsTheOthers() {
        String d = OutputBufferLimits.DEFAULT;
        assertThat(OutputBufferLimits.merge(d, "normal 1 2 3 pubsub 1k 2kb 5"))
                .isEqualTo("normal 1 2 3 slave 268435456 67108864 60 pubsub 1000 2048 5");
        assertThat(OutputBufferLimits.merge(d, "PUBSUB 1KB 1Gb 0 replica 1 2 3"))
                .isEqualTo("normal 0 0 0 slave 1 2 3 pubsub 1024 1073741824 0");
        assertThat(OutputBufferLimits.merge(d, "pubsub 1 2 3 pubsub 4 5 6")).endsWith("pubsub 4 5 6");
        assertThat(OutputBufferLimits.merge(d, "pubsub 1m 2 3")).endsWith("pubsub 1000000 2 3");
        assertThat(OutputBufferLimits.merge(d, "")).isEqualTo(d);
    }

    @Test
    void malformedValuesAreRefusedInRedisWords() {
        String d = OutputBufferLimits.DEFAULT;
        assertThatThrownBy(() -> OutputBufferLimits.merge(d, "pubsub 1 2"))
                .hasMessage("Wrong number of arguments in buffer limit configuration.");
        assertThatThrownBy(() -> OutputBufferLimits.merge(d, "master 1 2 3"))
                .hasMessage("Invalid client class specified in buffer limit configuration.");
        for (String bad : new String[] {"pubsub a 2 3", "pubsub 1.5 2 3", "pubsub -1 2 3", "pubsub 1 2 -1", "pubsub 1 2 x"}) {
            assertThatThrownBy(() -> OutputBufferLimits.merge(d, bad)).as(bad)
                    .hasMessage("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
        }
    }
}
