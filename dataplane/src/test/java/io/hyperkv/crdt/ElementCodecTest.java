package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The store keeps a collection as element rows plus its context, and runs every command on a
 * <em>slice</em> (the touched elements and the whole context). These properties are what makes that
 * sound: an element row and a context survive encoding unchanged, and a mutator run on a slice
 * produces exactly the delta it produces on the whole state.
 */
class ElementCodecTest {

    /** A clock two replicas of a test can share deterministically: the same calls give the same stamps. */
    private static final class CountingClock implements Clock {
        private long time;
        private final long node;

        CountingClock(long start, long node) {
            this.time = start;
            this.node = node;
        }

        @Override
        public Stamp next() {
            return new Stamp(++time, node);
        }

        @Override
        public void observe(Stamp remote) {
            time = Math.max(time, remote.time());
        }

        @Override
        public long nodeId() {
            return node;
        }
    }

    record Op(int kind, String field, String value, long by, long node) {}

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 3), Universe.member(), Universe.number(),
                Universe.increment(), Arbitraries.of(1L, 2L, -7L)).as(Op::new).list().ofMaxSize(25);
    }

    /** Builds an OrMap from operations issued on several nodes (so contexts hold several node ids). */
    private static OrMap hash(List<Op> ops) {
        OrMap state = OrMap.EMPTY;
        long t = 1000;
        for (Op op : ops) {
            Clock clock = new CountingClock(t += 10, op.node());
            Bytes f = b(op.field());
            OrMap delta = switch (op.kind()) {
                case 0 -> state.put(f, b(op.value()), clock);
                case 1 -> state.increment(f, op.by(), clock);
                case 2 -> state.remove(List.of(f), clock);
                default -> state.put(f, b(op.value() + "x"), clock);
            };
            state = state.merge(delta);
        }
        return state;
    }

    private static OrSet set(List<Op> ops) {
        OrSet state = OrSet.EMPTY;
        long t = 1000;
        for (Op op : ops) {
            Clock clock = new CountingClock(t += 10, op.node());
            Bytes m = b(op.field());
            state = state.merge(op.kind() == 2 ? state.remove(List.of(m), clock) : state.add(m, clock));
        }
        return state;
    }

    @Property(tries = 500)
    void elementRowsAndContextsSurviveEncoding(@ForAll("ops") List<Op> ops) throws CodecException {
        OrMap h = hash(ops);
        for (Map.Entry<Bytes, DotFun<Contribution>> e : h.store()) {
            assertThat(ElementCodec.decodeField(ElementCodec.encodeField(e.getValue()))).isEqualTo(e.getValue());
        }
        assertThat(ElementCodec.decodeContext(ElementCodec.encodeContext(h.context()))).isEqualTo(h.context());
        OrSet s = set(ops);
        for (Map.Entry<Bytes, DotFun<Boolean>> e : s.store()) {
            assertThat(ElementCodec.decodeMember(ElementCodec.encodeMember(e.getValue()))).isEqualTo(e.getValue());
        }
        assertThat(ElementCodec.decodeContext(ElementCodec.encodeContext(s.context()))).isEqualTo(s.context());
    }

    @Property(tries = 500)
    void aMutatorOnASliceGivesTheDeltaItGivesOnTheWholeState(@ForAll("ops") List<Op> ops, @ForAll("ops") List<Op> next) {
        OrMap whole = hash(ops);
        OrSet wholeSet = set(ops);
        long t = 100_000;
        for (Op op : next) {
            Bytes f = b(op.field());
            SortedMap<Bytes, DotFun<Contribution>> rows = new TreeMap<>();
            if (!whole.store().get(f).isEmpty()) {
                rows.put(f, whole.store().get(f));
            }
            OrMap slice = new OrMap(DotMap.of(rows), whole.context());
            OrMap onWhole;
            OrMap onSlice;
            t += 10;
            switch (op.kind()) {
                case 0 -> {
                    onWhole = whole.put(f, b(op.value()), new CountingClock(t, op.node()));
                    onSlice = slice.put(f, b(op.value()), new CountingClock(t, op.node()));
                }
                case 1 -> {
                    onWhole = whole.increment(f, op.by(), new CountingClock(t, op.node()));
                    onSlice = slice.increment(f, op.by(), new CountingClock(t, op.node()));
                }
                default -> {
                    onWhole = whole.remove(List.of(f), new CountingClock(t, op.node()));
                    onSlice = slice.remove(List.of(f), new CountingClock(t, op.node()));
                }
            }
            assertThat(onSlice).isEqualTo(onWhole);
            // the slice merged with the delta holds exactly the rows the whole state would store
            assertThat(slice.merge(onSlice).store().get(f)).isEqualTo(whole.merge(onWhole).store().get(f));
            whole = whole.merge(onWhole);

            SortedMap<Bytes, DotFun<Boolean>> members = new TreeMap<>();
            if (!wholeSet.store().get(f).isEmpty()) {
                members.put(f, wholeSet.store().get(f));
            }
            OrSet setSlice = new OrSet(DotMap.of(members), wholeSet.context());
            OrSet setOnWhole = op.kind() == 2 ? wholeSet.remove(List.of(f), new CountingClock(t, op.node()))
                    : wholeSet.add(f, new CountingClock(t, op.node()));
            OrSet setOnSlice = op.kind() == 2 ? setSlice.remove(List.of(f), new CountingClock(t, op.node()))
                    : setSlice.add(f, new CountingClock(t, op.node()));
            assertThat(setOnSlice).isEqualTo(setOnWhole);
            wholeSet = wholeSet.merge(setOnWhole);
        }
    }

    @Property(tries = 2000)
    void randomBytesNeverThrowAnythingButCodecException(@ForAll @Size(max = 120) byte[] body, @ForAll byte kind) {
        byte[] data = new byte[body.length + 2];
        data[0] = ElementCodec.FORMAT_VERSION;
        data[1] = new byte[] {'C', 'S', 'F'}[Math.floorMod(kind, 3)];
        System.arraycopy(body, 0, data, 2, body.length);
        for (ThrowingDecoder d : List.<ThrowingDecoder>of(ElementCodec::decodeContext, ElementCodec::decodeMember,
                ElementCodec::decodeField)) {
            try {
                d.decode(data);
            } catch (CodecException expected) {
                assertThat(expected).hasMessageNotContaining("null");
            }
        }
    }

    interface ThrowingDecoder {
        Object decode(byte[] data) throws CodecException;
    }

    @Example
    void wrongKindVersionAndTrailingBytesAreRefused() {
        DotFun<Boolean> dots = DotFun.of(new Dot(9, 1), Boolean.TRUE);
        byte[] member = ElementCodec.encodeMember(dots);
        assertThatThrownBy(() -> ElementCodec.decodeField(member)).isInstanceOf(CodecException.class)
                .hasMessageContaining("kind");
        byte[] v2 = member.clone();
        v2[0] = 2;
        assertThatThrownBy(() -> ElementCodec.decodeMember(v2)).isInstanceOf(CodecException.class)
                .hasMessageContaining("version 2");
        byte[] trailing = java.util.Arrays.copyOf(member, member.length + 1);
        assertThatThrownBy(() -> ElementCodec.decodeMember(trailing)).isInstanceOf(CodecException.class)
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> ElementCodec.encodeMember(DotFun.empty())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DotMap.of(new TreeMap<>(Map.of(b("x"), DotFun.<Boolean>empty()))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
