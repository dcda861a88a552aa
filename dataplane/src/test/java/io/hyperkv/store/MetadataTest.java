package io.hyperkv.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hyperkv.crdt.Stamp;
import org.junit.jupiter.api.Test;

class MetadataTest {

    @Test
    void stringWithoutExpiryRoundTripsAndStaysSmall() {
        Metadata m = Metadata.string("hello".getBytes(), Encoding.EMBSTR, 42, new Stamp(Stamp.pack(1000, 3), 7), 0, null);
        byte[] bytes = m.encode();
        assertThat(bytes).hasSize(4 + 24 + 5);
        assertThat(Metadata.decode(bytes)).isEqualTo(m);
        assertThat(Metadata.expireAtOf(bytes)).isZero();
        assertThat(Metadata.typeOf(bytes)).isEqualTo(ValueType.STRING);
    }

    @Test
    void expiryStampAndCollectionSizeAndContextRoundTrip() {
        Metadata m = new Metadata(ValueType.HASH, Encoding.HASHTABLE, 99, new Stamp(5, 1), 1_700_000_000_123L,
                new Stamp(6, 2), 12345, new byte[] {1, 2, 3}, new byte[0]);
        byte[] bytes = m.encode();
        Metadata back = Metadata.decode(bytes);
        assertThat(back).isEqualTo(m);
        assertThat(back.expiryStamp()).isEqualTo(new Stamp(6, 2));
        assertThat(back.size()).isEqualTo(12345);
        assertThat(Metadata.expireAtOf(bytes)).isEqualTo(1_700_000_000_123L);
    }

    @Test
    void persistKeepsTheExpiryStampWithNoDeadline() {
        Metadata m = Metadata.string(new byte[] {'1'}, Encoding.INT, 1, new Stamp(5, 1), 0, new Stamp(9, 1));
        Metadata back = Metadata.decode(m.encode());
        assertThat(back.hasExpiry()).isFalse();
        assertThat(back.expiryStamp()).isEqualTo(new Stamp(9, 1));
    }

    @Test
    void unknownFormatIsRefusedNotGuessed() {
        byte[] bytes = Metadata.string(new byte[0], Encoding.RAW, 1, new Stamp(1, 1), 0, null).encode();
        bytes[0] = 9;
        assertThatThrownBy(() -> Metadata.decode(bytes)).isInstanceOf(StoreException.class).hasMessageContaining("format 9");
    }

    @Test
    void keyLayoutsGroupByDbThenSlot() {
        byte[] a = KeyCodec.meta(0, "foo".getBytes());
        assertThat(a[0]).isEqualTo((byte) 0);
        assertThat(KeyCodec.slotOfMeta(a)).isEqualTo(12182);
        assertThat(KeyCodec.userKeyOfMeta(a)).isEqualTo("foo".getBytes());
        byte[] e = KeyCodec.expire(3, 1234567L, "k".getBytes());
        assertThat(KeyCodec.expireAtOfIndex(e)).isEqualTo(1234567L);
        assertThat(KeyCodec.userKeyOfIndex(e)).isEqualTo("k".getBytes());
        assertThat(KeyCodec.prefixEnd(new byte[] {1, (byte) 0xFF})).isEqualTo(new byte[] {2});
        byte[] sub = KeyCodec.sub(1, "h".getBytes(), 5, "f".getBytes());
        assertThat(sub).startsWith(KeyCodec.subPrefix(1, "h".getBytes(), 5));
    }
}
