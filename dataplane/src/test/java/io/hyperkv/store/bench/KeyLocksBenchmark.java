package io.hyperkv.store.bench;

import io.hyperkv.command.CommandSpec;
import io.hyperkv.command.SpecBuilder;
import io.hyperkv.store.KeyLocks;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the dispatcher's reader lock costs a GET or an MGET when nobody contends: the key positions
 * from the command spec, the stripe hash, lock and unlock. Compare with {@code positionsOnly}.
 *
 * <pre>
 * mvn -B -Pjmh -pl dataplane test -DskipTests -Dquarkus.build.skip=true -Djmh.args="KeyLocksBenchmark -f 1 -wi 3 -i 5"
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KeyLocksBenchmark {

    private final KeyLocks locks = new KeyLocks(1024);
    private final CommandSpec get = SpecBuilder.command("get", 2).keys(1, 1, 1).build();
    private final CommandSpec mget = SpecBuilder.command("mget", -2).keys(1, -1, 1).build();
    private final byte[][] getArgv = {bytes("GET"), bytes("key:000000012345")};
    private final byte[][] mgetArgv = {bytes("MGET"), bytes("key:000000012345"), bytes("key:000000054321")};

    @Benchmark
    public int positionsOnly() {
        return get.keyPositions(getArgv).length;
    }

    @Benchmark
    public int getLockedAndUnlocked() {
        int[] p = get.keyPositions(getArgv);
        try (KeyLocks.Held ignored = locks.lock(0, getArgv[p[0]])) {
            return p.length;
        }
    }

    @Benchmark
    public int mgetOfTwoKeysLockedAndUnlocked() {
        int[] p = mget.keyPositions(mgetArgv);
        byte[][] keys = new byte[p.length][];
        for (int i = 0; i < p.length; i++) {
            keys[i] = mgetArgv[p[i]];
        }
        try (KeyLocks.Held ignored = locks.lock(new int[p.length], keys)) {
            return p.length;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
