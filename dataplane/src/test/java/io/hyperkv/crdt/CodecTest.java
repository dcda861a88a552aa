package io.hyperkv.crdt;

import static io.hyperkv.crdt.Universe.b;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** The binary codec: a pinned format, and hostile input. */
class CodecTest {

    /** A fixed clock so the encoding below is reproducible. */
    private static final class FixedClock implements Clock {
        private long time = Stamp.pack(1000, 0);

        @Override
        public Stamp next() {
            return new Stamp(++time, 5);
        }

        @Override
        public void observe(Stamp remote) {
        }

        @Override
        public long nodeId() {
            return 5;
        }
    }

    @Example
    void theVersionOneEncodingIsStable() throws CodecException {
        FixedClock clock = new FixedClock();
        OrSet s = OrSet.EMPTY;
        s = s.merge(s.add(List.of(b("a"), b("b")), clock));
        s = s.merge(s.remove(List.of(b("a")), clock));
        String hex = HexFormat.of().formatHex(CrdtCodec.encode(s));
        // Changing this literal breaks every stored value and every older peer: add a version instead.
        assertThat(hex).isEqualTo("0104010000000000000005018180a01f018380a01f000000000000000501016201008280a01f");
        assertThat(CrdtCodec.decode(HexFormat.of().parseHex(hex), OrSet.class)).isEqualTo(s);
    }

    @Example
    void aForgedHugeLengthIsRejectedWithoutAllocating() {
        // LwwRegister: stamp(time 1, node 0), then a value length of 2^62
        byte[] forged = HexFormat.of().parseHex("0101010000000000000000808080808080808040");
        assertThatThrownBy(() -> CrdtCodec.decode(forged)).isInstanceOf(CodecException.class).hasMessageContaining("exceeds");
    }

    @Example
    void aForgedHugeCountIsRejectedWithoutAllocating() {
        // OrSet with a context of 2^31 nodes
        byte[] forged = HexFormat.of().parseHex("010480808080080000");
        assertThatThrownBy(() -> CrdtCodec.decode(forged)).isInstanceOf(CodecException.class);
    }

    @Example
    void unknownVersionsTypesAndTrailingBytesAreRejected() throws CodecException {
        byte[] ok = CrdtCodec.encode(LwwRegister.EMPTY);
        assertThat(CrdtCodec.decode(ok)).isEqualTo(LwwRegister.EMPTY);
        byte[] version2 = ok.clone();
        version2[0] = 2;
        assertThatThrownBy(() -> CrdtCodec.decode(version2)).isInstanceOf(CodecException.class).hasMessageContaining("version 2");
        byte[] tag99 = ok.clone();
        tag99[1] = 99;
        assertThatThrownBy(() -> CrdtCodec.decode(tag99)).isInstanceOf(CodecException.class).hasMessageContaining("type tag");
        byte[] trailing = java.util.Arrays.copyOf(ok, ok.length + 1);
        assertThatThrownBy(() -> CrdtCodec.decode(trailing)).isInstanceOf(CodecException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> CrdtCodec.decode(new byte[0])).isInstanceOf(CodecException.class);
        assertThatThrownBy(() -> CrdtCodec.decode(ok, OrSet.class)).isInstanceOf(CodecException.class).hasMessageContaining("expected OrSet");
    }

    @Example
    void aDotOutsideTheContextIsRejected() {
        // OrSet, context {node 5: [1..1]}, last ZERO, one member "a" with dot (node index 0, counter 2)
        byte[] forged = HexFormat.of().parseHex("0104" + "01" + "0000000000000005" + "01" + "01" + "00"
                + "00" + "0000000000000000" + "01" + "0161" + "01" + "00" + "02");
        assertThatThrownBy(() -> CrdtCodec.decode(forged)).isInstanceOf(CodecException.class).hasMessageContaining("outside");
    }

    @Property(tries = 2000)
    void randomBytesNeverThrowAnythingButCodecException(@ForAll @Size(max = 200) byte[] data) {
        CrdtLaws.assertDecodesCanonicallyOrFailsCleanly(data);
    }

    @Property(tries = 2000)
    void randomBodiesBehindEveryTypeTagFailCleanly(@ForAll @Size(max = 120) byte[] body, @ForAll byte tag) {
        byte[] data = new byte[body.length + 2];
        data[0] = CrdtCodec.FORMAT_VERSION;
        data[1] = (byte) (1 + Math.floorMod(tag, 6));
        System.arraycopy(body, 0, data, 2, body.length);
        CrdtLaws.assertDecodesCanonicallyOrFailsCleanly(data);
    }
}
