package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.crdt.Stamp;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyDeltaTest {

    private static final Stamp AT = new Stamp(1_000_000L << 16, 7);

    @Test
    void aCollectionDeltaSurvivesTheWireWithItsRemovedElements() {
        Metadata meta = new Metadata(ValueType.SET, Encoding.RAW, 42, AT, 0, null, 2, new byte[] {1, 2, 3}, null)
                .withElementsHash(0x1234_5678_9abcL);
        KeyDelta delta = new KeyDelta(meta, List.of(new KeyDelta.Element("a".getBytes(), new byte[] {9, 9}),
                new KeyDelta.Element("b".getBytes(), null)), false);

        KeyDelta back = KeyDelta.decode(delta.encode());

        assertThat(back).isEqualTo(delta);
        assertThat(back.elements().get(1).state()).isNull();
        assertThat(back.meta().elementsHash()).isEqualTo(0x1234_5678_9abcL);
    }

    @Test
    void aTombstoneAndTheFullFlagSurviveTheWire() {
        KeyDelta delta = new KeyDelta(Metadata.tombstone(ValueType.HASH, 3, AT, new byte[] {5}), List.of(), true);

        KeyDelta back = KeyDelta.decode(delta.encode());

        assertThat(back.full()).isTrue();
        assertThat(back.meta().tombstone()).isTrue();
        assertThat(back.meta().type()).isEqualTo(ValueType.HASH);
        assertThat(Metadata.isTombstone(back.meta().encode())).isTrue();
    }

    @Test
    void aFormatOneRowStillDecodes() {
        Metadata live = Metadata.string("v".getBytes(), Encoding.RAW, 1, AT, 0, null);
        byte[] bytes = live.encode();
        bytes[0] = 1;

        assertThat(Metadata.decode(bytes)).isEqualTo(live);
    }

    @Test
    void everyTruncationIsAStoreExceptionNeverAPartialDelta() {
        byte[] whole = new KeyDelta(Metadata.string("value".getBytes(), Encoding.RAW, 1, AT, 0, null),
                List.of(new KeyDelta.Element("e".getBytes(), new byte[] {1})), false).encode();
        for (int cut = 0; cut < whole.length; cut++) {
            byte[] part = Arrays.copyOf(whole, cut);
            assertThatThrownBy(() -> KeyDelta.decode(part)).as("cut at %d", cut).isInstanceOf(StoreException.class);
        }
    }

    @Test
    void aHugeElementCountIsRefusedBeforeAnyAllocation() {
        byte[] whole = KeyDelta.of(Metadata.string("v".getBytes(), Encoding.RAW, 1, AT, 0, null)).encode();
        whole[whole.length - 1] = 0x7f;
        whole[whole.length - 4] = 0x7f;

        assertThatThrownBy(() -> KeyDelta.decode(whole)).isInstanceOf(StoreException.class).hasMessageContaining("claims");
    }
}
