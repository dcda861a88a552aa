package io.hyperkv.crdt.bench;

import io.hyperkv.crdt.Bytes;
import io.hyperkv.crdt.Clock;
import io.hyperkv.crdt.CodecException;
import io.hyperkv.crdt.Crdt;
import io.hyperkv.crdt.CrdtCodec;
import io.hyperkv.crdt.HybridLogicalClock;
import io.hyperkv.crdt.OrMap;
import io.hyperkv.crdt.OrSet;
import io.hyperkv.crdt.Sequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Merge and codec cost of the collection CRDTs at 10, 1 000 and 100 000 elements.
 * <ul>
 *   <li>{@code mergeReplicas}: join of two replicas that share the collection and then each made
 *       about 1% of independent changes (adds and removes): the anti-entropy path;</li>
 *   <li>{@code mergeDelta}: a one-element delta into the full state: the replication path;</li>
 *   <li>{@code encode} / {@code decode}: the full state through {@link CrdtCodec}.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CrdtBenchmark {

    @Param({"OR_SET", "OR_MAP", "SEQUENCE"})
    public String type;

    @Param({"10", "1000", "100000"})
    public int size;

    private Crdt<?> replicaA;
    private Crdt<?> replicaB;
    private Crdt<?> delta;
    private byte[] encoded;

    @Setup(Level.Trial)
    public void build() {
        AtomicLong wall = new AtomicLong(1_700_000_000_000L);
        Clock a = new HybridLogicalClock(1, wall::get, 0, 60_000, 10_000, m -> { });
        Clock b = new HybridLogicalClock(2, wall::get, 0, 60_000, 10_000, m -> { });
        int changes = Math.max(1, size / 100);
        switch (type) {
            case "OR_SET" -> {
                OrSet base = OrSet.EMPTY;
                base = base.merge(base.add(items("member:", 0, size), a));
                OrSet onA = base.merge(base.add(items("a:", 0, changes), a));
                onA = onA.merge(onA.remove(items("member:", 0, changes), a));
                OrSet onB = base.merge(base.add(items("b:", 0, changes), b));
                onB = onB.merge(onB.remove(items("member:", changes, changes), b));
                replicaA = onA;
                replicaB = onB;
                delta = onA.add(Bytes.of("new-member"), b);
            }
            case "OR_MAP" -> {
                OrMap base = OrMap.EMPTY;
                base = base.merge(base.put(fields("field:", 0, size), a));
                OrMap onA = base.merge(base.put(fields("a:", 0, changes), a));
                onA = onA.merge(onA.increment(Bytes.of("field:0"), 5, a));
                onA = onA.merge(onA.remove(items("field:", 1, changes), a));
                OrMap onB = base.merge(base.put(fields("field:", changes, changes), b));
                onB = onB.merge(onB.remove(items("field:", 2 * changes, changes), b));
                replicaA = onA;
                replicaB = onB;
                delta = onA.put(Bytes.of("field:1"), Bytes.of("updated"), b);
            }
            case "SEQUENCE" -> {
                Sequence base = Sequence.EMPTY;
                base = base.merge(base.pushRight(items("element:", 0, size), a));
                Sequence onA = base.merge(base.pushLeft(items("a:", 0, changes), a));
                onA = onA.merge(onA.popRight(changes, a).delta());
                Sequence onB = base.merge(base.pushRight(items("b:", 0, changes), b));
                onB = onB.merge(onB.set(size / 2, Bytes.of("set"), b));
                replicaA = onA;
                replicaB = onB;
                delta = onA.pushRight(List.of(Bytes.of("pushed")), b);
            }
            default -> throw new IllegalArgumentException(type);
        }
        encoded = CrdtCodec.encode(replicaA);
    }

    private static List<Bytes> items(String prefix, int from, int count) {
        List<Bytes> out = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            out.add(Bytes.of(prefix + i));
        }
        return out;
    }

    private static Map<Bytes, Bytes> fields(String prefix, int from, int count) {
        Map<Bytes, Bytes> out = new LinkedHashMap<>();
        for (int i = from; i < from + count; i++) {
            out.put(Bytes.of(prefix + i), Bytes.of("value-" + i));
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object join(Crdt x, Crdt y) {
        return x.merge(y);
    }

    @Benchmark
    public Object mergeReplicas() {
        return join(replicaA, replicaB);
    }

    @Benchmark
    public Object mergeDelta() {
        return join(replicaA, delta);
    }

    @Benchmark
    public byte[] encode() {
        return CrdtCodec.encode(replicaA);
    }

    @Benchmark
    public Object decode() throws CodecException {
        return CrdtCodec.decode(encoded);
    }
}
