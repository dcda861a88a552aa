package io.hyperkv.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandSpecTest {

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void fixedKeyPositionsFollowFirstLastAndStep() {
        CommandSpec mset = SpecBuilder.command("mset", -3).keys(1, -1, 2).build();
        assertThat(mset.keyPositions(argv("MSET", "a", "1", "b", "2"))).containsExactly(1, 3);
        CommandSpec get = SpecBuilder.command("get", 2).keys(1, 1, 1).build();
        assertThat(get.keyPositions(argv("GET", "k"))).containsExactly(1);
        assertThat(get.keyPositions(argv("GET"))).as("a missing key is not invented").isEmpty();
        CommandSpec ping = SpecBuilder.command("ping", -1).build();
        assertThat(ping.keyPositions(argv("PING"))).isEmpty();
        assertThat(mset.movableKeys()).isFalse();
    }

    @Test
    void aKeyFinderDecidesForMovableKeysAndCommandInfoSaysSo() {
        // BLPOP-style: every argument but the name and the trailing timeout is a key
        CommandSpec blpop = SpecBuilder.command("blpop", -3).keys(1, -2, 1)
                .keyFinder(a -> java.util.stream.IntStream.range(1, Math.max(1, a.length - 1)).toArray()).build();
        assertThat(blpop.keyPositions(argv("BLPOP", "a", "b", "0"))).containsExactly(1, 2);
        assertThat(blpop.movableKeys()).isTrue();
        assertThat(IntrospectionCommands.describe(blpop).toString()).contains("movablekeys");
    }
}
