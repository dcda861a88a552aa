package io.hyperkv.cluster;

import static io.hyperkv.cluster.Members.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TopologyCodecTest {

    private static final String A = id(0xa).hex();
    private static final String B = id(0xb).hex();
    private static final String C = id(0xc).hex();

    /** A valid document; each invalid case below changes one thing in it. */
    private static final String VALID = """
            {"epoch": 3, "replicationFactor": 2,
             "nodes": [
               {"id": "A", "host": "10.0.0.1", "port": 6379, "busPort": 16379, "state": "up"},
               {"id": "B", "host": "10.0.0.2", "port": 6379, "busPort": 16379, "state": "up"},
               {"id": "C", "host": "10.0.0.3", "port": 6379, "busPort": 16379, "state": "joining"}],
             "slots": [
               {"start": 0, "end": 8191, "owners": ["A", "B"]},
               {"start": 8192, "end": 16383, "owners": ["C", "A"]}]}
            """.replace("\"A\"", "\"" + A + "\"").replace("\"B\"", "\"" + B + "\"").replace("\"C\"", "\"" + C + "\"");

    private static String with(String from, String to) {
        if (!VALID.contains(from)) {
            throw new IllegalArgumentException("the base document has no " + from);
        }
        return VALID.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
    }

    @Test
    void aValidDocumentDecodesToItsTopology() {
        Topology t = TopologyCodec.decode(VALID);
        assertThat(t.epoch()).isEqualTo(3);
        assertThat(t.replicationFactor()).isEqualTo(2);
        assertThat(t.nodes()).extracting(ClusterNode::address).containsExactly("10.0.0.1:6379", "10.0.0.2:6379",
                "10.0.0.3:6379");
        assertThat(t.node(id(0xc))).get().extracting(ClusterNode::state).isEqualTo(NodeState.JOINING);
        assertThat(t.ownersOf(9000)).containsExactly(id(0xc), id(0xa));
    }

    @Test
    void encodingIsCompactWithFieldsInAFixedOrder() {
        String json = TopologyCodec.encodeToString(TopologyCodec.decode(VALID));
        assertThat(json).isEqualTo("{\"epoch\":3,\"replicationFactor\":2,\"nodes\":["
                + "{\"id\":\"" + A + "\",\"host\":\"10.0.0.1\",\"port\":6379,\"busPort\":16379,\"state\":\"up\"},"
                + "{\"id\":\"" + B + "\",\"host\":\"10.0.0.2\",\"port\":6379,\"busPort\":16379,\"state\":\"up\"},"
                + "{\"id\":\"" + C + "\",\"host\":\"10.0.0.3\",\"port\":6379,\"busPort\":16379,\"state\":\"joining\"}],"
                + "\"slots\":[{\"start\":0,\"end\":8191,\"owners\":[\"" + A + "\",\"" + B + "\"]},"
                + "{\"start\":8192,\"end\":16383,\"owners\":[\"" + C + "\",\"" + A + "\"]}]}");
    }

    @Test
    void theOperatorsDocumentWithoutStatesAndWithExtraFieldsIsAccepted() {
        String operatorStyle = VALID.replace(", \"state\": \"up\"", "").replace(", \"state\": \"joining\"", "")
                .replace("\"epoch\": 3,", "\"epoch\": 3, \"generatedBy\": \"operator 0.2\",");
        Topology t = TopologyCodec.decode(operatorStyle);
        assertThat(t.nodes()).extracting(ClusterNode::state).containsOnly(NodeState.UP);
        assertThat(t.ranges()).isEqualTo(TopologyCodec.decode(VALID).ranges());
    }

    @Test
    void theExampleInThePackageDocumentationIsAValidDocument() throws IOException {
        String doc = Files.readString(Path.of("src/main/java/io/hyperkv/cluster/package-info.java"));
        int start = doc.indexOf("<pre>") + "<pre>".length();
        String example = doc.substring(start, doc.indexOf("</pre>", start)).replaceAll("(?m)^ \\* ?", "");
        Topology t = TopologyCodec.decode(example);
        assertThat(t.epoch()).isEqualTo(7);
        assertThat(t.nodes()).hasSize(4);
        assertThat(t.replicationFactor()).isEqualTo(2);
    }

    static Stream<Arguments> invalidDocuments() {
        String d = id(0xd).hex();
        return Stream.of(
                Arguments.of("empty body", "", "the document is empty"),
                Arguments.of("only whitespace", "  \n", "the document is empty"),
                Arguments.of("not an object", "[1, 2]", "the document must be a JSON object, got an array"),
                Arguments.of("missing epoch", with("\"epoch\": 3,", ""), "missing field epoch"),
                Arguments.of("null epoch", with("\"epoch\": 3", "\"epoch\": null"), "missing field epoch"),
                Arguments.of("epoch as a string", with("\"epoch\": 3", "\"epoch\": \"3\""),
                        "epoch must be an integer, got the string \"3\""),
                Arguments.of("fractional epoch", with("\"epoch\": 3", "\"epoch\": 3.5"),
                        "epoch must be an integer, got 3.5"),
                Arguments.of("epoch beyond 64 bits", with("\"epoch\": 3", "\"epoch\": 123456789012345678901234567890"),
                        "epoch must be an integer, got 123456789012345678901234567890"),
                Arguments.of("epoch zero", with("\"epoch\": 3", "\"epoch\": 0"), "epoch must be at least 1, got 0"),
                Arguments.of("missing replication factor", with("\"replicationFactor\": 2,", ""),
                        "missing field replicationFactor"),
                Arguments.of("N above the members", with("\"replicationFactor\": 2", "\"replicationFactor\": 4"),
                        "replicationFactor 4 is greater than the 3 nodes"),
                Arguments.of("N zero", with("\"replicationFactor\": 2", "\"replicationFactor\": 0"),
                        "replicationFactor must be at least 1, got 0"),
                Arguments.of("nodes not an array", with("\"nodes\": [", "\"nodes\": {\"x\": 1}, \"old\": ["),
                        "nodes must be an array, got an object"),
                Arguments.of("missing host", with("\"host\": \"10.0.0.2\", ", ""), "missing field nodes[1].host"),
                Arguments.of("empty host", with("\"host\": \"10.0.0.2\"", "\"host\": \"\""),
                        "node " + B + " has an invalid host \"\" (1 to 255 characters, no spaces)"),
                Arguments.of("host with a space", with("\"host\": \"10.0.0.2\"", "\"host\": \"10.0.0.2 x\""),
                        "node " + B + " has an invalid host \"10.0.0.2 x\" (1 to 255 characters, no spaces)"),
                Arguments.of("huge host", with("\"host\": \"10.0.0.2\"", "\"host\": \"" + "h".repeat(300) + "\""),
                        "node " + B + " has an invalid host \"" + "h".repeat(64) + "...\" (1 to 255 characters, no spaces)"),
                Arguments.of("bad node id", with("\"id\": \"" + A + "\"", "\"id\": \"node-1\""),
                        "nodes[0].id: \"node-1\" is not a node id (40 hexadecimal digits)"),
                Arguments.of("numeric node id", with("\"id\": \"" + A + "\"", "\"id\": 10"),
                        "nodes[0].id must be a string, got 10"),
                Arguments.of("duplicate node id", with("\"id\": \"" + B + "\"", "\"id\": \"" + A + "\""),
                        "duplicate node id " + A),
                Arguments.of("port out of range", with("\"port\": 6379, \"busPort\": 16379, \"state\": \"joining\"",
                        "\"port\": 70000, \"busPort\": 16379, \"state\": \"joining\""),
                        "node " + C + " has port 70000, outside 1..65535"),
                Arguments.of("port as a string", with("\"port\": 6379", "\"port\": \"6379\""),
                        "nodes[0].port must be an integer, got the string \"6379\""),
                Arguments.of("missing bus port", with(", \"busPort\": 16379", ""), "missing field nodes[0].busPort"),
                Arguments.of("unknown state", with("\"state\": \"joining\"", "\"state\": \"gone\""),
                        "nodes[2].state: \"gone\" is not a node state (up, suspect, down, joining, leaving)"),
                Arguments.of("missing slots", with(",\n \"slots\": [", ",\n \"other\": ["), "missing field slots"),
                Arguments.of("slot entry not an object", with("{\"start\": 8192", "[], {\"start\": 8192"),
                        "slots[1] must be an object, got an array"),
                Arguments.of("gap between ranges", with("\"start\": 8192", "\"start\": 9000"),
                        "slots 8192..8999 have no owners"),
                Arguments.of("last slots not covered", with("\"end\": 16383", "\"end\": 16000"),
                        "slots 16001..16383 have no owners"),
                Arguments.of("overlapping ranges", with("\"start\": 8192", "\"start\": 8000"),
                        "slot 8000 is in two ranges (0..8191 and 8000..16383)"),
                Arguments.of("slot beyond 16383", with("\"end\": 16383", "\"end\": 16384"),
                        "slot range 8192..16384 is not inside 0..16383 with start <= end"),
                Arguments.of("start after end", with("\"start\": 0, \"end\": 8191", "\"start\": 8191, \"end\": 0"),
                        "slot range 8191..0 is not inside 0..16383 with start <= end"),
                Arguments.of("unknown owner", with("[\"" + C + "\", \"" + A + "\"]", "[\"" + d + "\", \"" + A + "\"]"),
                        "slots 8192..16383 are owned by " + d + ", which is not a node of the topology"),
                Arguments.of("fewer owners than N", with("[\"" + A + "\", \"" + B + "\"]", "[\"" + A + "\"]"),
                        "slots 0..8191 have 1 owner, fewer than replicationFactor 2"),
                Arguments.of("owner listed twice", with("[\"" + A + "\", \"" + B + "\"]", "[\"" + A + "\", \"" + A + "\"]"),
                        "slots 0..8191 list owner " + A + " twice"),
                Arguments.of("owner not a string", with("[\"" + A + "\", \"" + B + "\"]", "[10, 11]"),
                        "slots[0].owners[0] must be a string, got 10"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDocuments")
    void anInvalidDocumentIsRefusedWithAMessageSayingWhy(String name, String json, String message) {
        assertThatThrownBy(() -> TopologyCodec.decode(json))
                .isInstanceOf(InvalidTopologyException.class)
                .hasMessage("invalid topology: " + message);
    }

    @Test
    void malformedJsonIsRefusedWithTheParsersWordsAndPosition() {
        assertThatThrownBy(() -> TopologyCodec.decode("{\"epoch\": 3,"))
                .isInstanceOf(InvalidTopologyException.class)
                .hasMessageStartingWith("invalid topology: not valid JSON: ")
                .hasMessageContaining("(line 1, column");
        assertThatThrownBy(() -> TopologyCodec.decode(VALID.replace("\"replicationFactor\": 2",
                "\"replicationFactor\": 2, \"epoch\": 4")))
                .hasMessageStartingWith("invalid topology: not valid JSON: Duplicate field 'epoch'");
        // Looks like UTF-32 to Jackson's encoding detection, which then throws a plain CharConversionException.
        assertThatThrownBy(() -> TopologyCodec.decode(new byte[] {0, 0, 0, '{', 0x7f, (byte) 0xff, (byte) 0xff, 0}))
                .isInstanceOf(InvalidTopologyException.class)
                .hasMessageStartingWith("invalid topology: not valid JSON: Invalid UTF-32 character");
        assertThatThrownBy(() -> TopologyCodec.decode(new byte[] {(byte) 0xff, (byte) 0xfe, 0}))
                .isInstanceOf(InvalidTopologyException.class)
                .hasMessageStartingWith("invalid topology: not valid JSON");
    }

    /** Damaged documents: cut, spliced with random text, or random bytes. A clear refusal or a valid topology. */
    @Property(tries = 500)
    void anyDamagedDocumentIsEitherValidOrRefusedWithInvalidTopology(@ForAll @IntRange(min = 0, max = 2000) int at,
            @ForAll @IntRange(min = 0, max = 40) int cut, @ForAll String splice, @ForAll byte[] garbage,
            @ForAll @IntRange(min = 0, max = 2) int kind) {
        byte[] doc;
        if (kind == 0) {
            int p = Math.min(at, VALID.length());
            doc = (VALID.substring(0, p) + splice + VALID.substring(Math.min(VALID.length(), p + cut)))
                    .getBytes(StandardCharsets.UTF_8);
        } else if (kind == 1) {
            doc = VALID.substring(0, Math.min(at, VALID.length())).getBytes(StandardCharsets.UTF_8);
        } else {
            doc = garbage;
        }
        try {
            Topology t = TopologyCodec.decode(doc);
            assertThat(TopologyCodec.decode(TopologyCodec.encode(t))).isEqualTo(t);
        } catch (InvalidTopologyException e) {
            assertThat(e.getMessage()).startsWith("invalid topology: ").hasSizeLessThan(600);
        }
    }

    // ---- round trip ----------------------------------------------------------------------------------------------

    @Provide
    Arbitrary<Set<NodeId>> members() {
        return Members.memberSets(1, 10);
    }

    @Property(tries = 60)
    void decodingAnEncodedTopologyGivesItBackAndReencodesToTheSameBytes(@ForAll("members") Set<NodeId> members,
            @ForAll @IntRange(min = 1, max = 3) int n, @ForAll @LongRange(min = 1) long epoch, @ForAll long seed) {
        if (n > members.size()) {
            return;
        }
        Random random = new Random(seed);
        List<ClusterNode> nodes = new ArrayList<>();
        int i = 0;
        for (NodeId m : members) {
            NodeState state = NodeState.values()[random.nextInt(NodeState.values().length - 1)];
            String host = random.nextBoolean() ? "10.1.0." + i : "hkv-" + i + ".hkv-headless.ns.svc.cluster.local";
            nodes.add(new ClusterNode(m, host, 1 + random.nextInt(65535), 1 + random.nextInt(65535), state));
            i++;
        }
        Topology t = Placement.standard().topology(epoch, nodes, n);
        if (random.nextBoolean() && members.size() > n) {
            // A topology in the middle of a move, with more than N owners for some slots.
            List<ClusterNode> fewer = new ArrayList<>(nodes.subList(1, nodes.size()));
            t = Transition.between(t, Placement.standard().topology(epoch, fewer, n)).next(epoch, (a, b) -> false);
        }
        byte[] encoded = TopologyCodec.encode(t);
        Topology decoded = TopologyCodec.decode(encoded);
        assertThat(decoded).isEqualTo(t);
        assertThat(TopologyCodec.encode(decoded)).isEqualTo(encoded);
        assertThat(new String(encoded, StandardCharsets.UTF_8)).doesNotContain(" ", "\n");
    }

    @Test
    void aLargeTopologyStaysSmall() {
        List<NodeId> ids = new ArrayList<>();
        for (long v = 1; v <= 12; v++) {
            ids.add(new NodeId(v * 0x9E3779B97F4A7C15L));
        }
        Topology t = Placement.standard().topology(1, Members.nodes(ids), 3);
        byte[] json = TopologyCodec.encode(t);
        System.out.printf("12 nodes, N=3: %d slot ranges, %d bytes of JSON%n", t.ranges().size(), json.length);
        assertThat(t.ranges().size()).isLessThanOrEqualTo(Placement.standard().blocks());
        assertThat(TopologyCodec.decode(json)).isEqualTo(t);
    }
}
