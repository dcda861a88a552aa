package io.hyperkv.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class NodeIdTest {

    @Test
    void printsFortyLowercaseHexDigitsLikeARedisNodeId() {
        assertThat(new NodeId(0xABCDEFL).hex()).isEqualTo("0000000000000000000000000000000000abcdef");
        assertThat(new NodeId(-1L).hex()).isEqualTo("000000000000000000000000ffffffffffffffff");
        assertThat(new NodeId(0xABCDEFL).shortHex()).isEqualTo("0000000000abcdef");
    }

    @Property(tries = 300)
    void bothPrintedFormsParseBackToTheSameId(@ForAll long value) {
        NodeId id = new NodeId(value);
        assertThat(NodeId.parse(id.hex())).isEqualTo(id);
        assertThat(NodeId.parse(id.shortHex())).isEqualTo(id);
        assertThat(NodeId.parse(id.hex().toUpperCase())).isEqualTo(id);
    }

    @Property(tries = 300)
    void orderIsTheOrderOfThePrintedForm(@ForAll long a, @ForAll long b) {
        NodeId x = new NodeId(a);
        NodeId y = new NodeId(b);
        assertThat(Integer.signum(x.compareTo(y))).isEqualTo(Integer.signum(x.hex().compareTo(y.hex())));
    }

    @Test
    void refusesTextThatIsNotANodeId() {
        assertThatThrownBy(() -> NodeId.parse("abc")).hasMessage("\"abc\" is not a node id (40 hexadecimal digits)");
        assertThatThrownBy(() -> NodeId.parse("000000000000000000000000000000000000000g"))
                .hasMessageContaining("is not a node id");
        assertThatThrownBy(() -> NodeId.parse("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"))
                .hasMessageContaining("is not a HyperKV node id (ids are 64-bit");
        assertThatThrownBy(() -> NodeId.parse(null)).hasMessage("null is not a node id (40 hexadecimal digits)");
    }
}
