package io.hyperkv.cluster;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form of a {@link Topology}: the body of the admin API's {@code PUT /v1/topology}, what a node persists in
 * the {@code sys} column family, and what peers gossip. The format is described in the package documentation.
 *
 * <p>Writing is stable: fields in a fixed order, nodes by id, slot runs merged and in slot order, no whitespace, so
 * equal topologies give equal bytes and {@code decode(encode(t)).equals(t)}. Reading checks presence and JSON type
 * of every field here (messages name the field by its path, e.g. {@code nodes[2].port}) and leaves the rules between
 * fields to {@link Topology#of}; either way the failure is an {@link InvalidTopologyException} whose message can be
 * returned as is with an HTTP 400. Unknown fields are ignored, so a newer operator's document still installs on an
 * older node; duplicate fields are refused, since which one was meant cannot be known.
 */
public final class TopologyCodec {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final JsonFactory FACTORY = new JsonFactory();

    private TopologyCodec() {
    }

    /** The stable JSON form, UTF-8. */
    public static byte[] encode(Topology topology) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 120 * topology.ranges().size());
        try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNumberField("epoch", topology.epoch());
            g.writeNumberField("replicationFactor", topology.replicationFactor());
            g.writeArrayFieldStart("nodes");
            for (ClusterNode n : topology.nodes()) {
                g.writeStartObject();
                g.writeStringField("id", n.id().hex());
                g.writeStringField("host", n.host());
                g.writeNumberField("port", n.port());
                g.writeNumberField("busPort", n.busPort());
                g.writeStringField("state", n.state().wireName());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("slots");
            for (SlotRange r : topology.ranges()) {
                g.writeStartObject();
                g.writeNumberField("start", r.first());
                g.writeNumberField("end", r.last());
                g.writeArrayFieldStart("owners");
                for (NodeId owner : r.owners()) {
                    g.writeString(owner.hex());
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }

    public static String encodeToString(Topology topology) {
        return new String(encode(topology), StandardCharsets.UTF_8);
    }

    public static Topology decode(String json) {
        return decode(json.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads and validates a topology document.
     *
     * @throws InvalidTopologyException saying what is wrong and where
     */
    public static Topology decode(byte[] json) {
        if (json.length == 0) {
            throw new InvalidTopologyException("the document is empty");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new InvalidTopologyException("not valid JSON: " + e.getOriginalMessage()
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            // Nothing here does real I/O: any other IOException is about the bytes (e.g. an impossible UTF-32 code
            // point found while detecting the encoding), so it is the document's fault too.
            throw new InvalidTopologyException("not valid JSON: " + e.getMessage());
        }
        if (root == null || root.isMissingNode()) {
            throw new InvalidTopologyException("the document is empty");
        }
        if (!root.isObject()) {
            throw new InvalidTopologyException("the document must be a JSON object, got " + kind(root));
        }
        long epoch = longField(root, "epoch", "epoch");
        int replicationFactor = intField(root, "replicationFactor", "replicationFactor");
        JsonNode nodesJson = array(root, "nodes", "nodes");
        List<ClusterNode> nodes = new ArrayList<>(nodesJson.size());
        for (int i = 0; i < nodesJson.size(); i++) {
            nodes.add(node(nodesJson.get(i), "nodes[" + i + "]"));
        }
        JsonNode slotsJson = array(root, "slots", "slots");
        List<SlotRange> ranges = new ArrayList<>(slotsJson.size());
        for (int i = 0; i < slotsJson.size(); i++) {
            ranges.add(range(slotsJson.get(i), "slots[" + i + "]"));
        }
        return Topology.of(epoch, replicationFactor, nodes, ranges);
    }

    private static ClusterNode node(JsonNode json, String path) {
        object(json, path);
        NodeId id = nodeId(required(json, "id", path + ".id"), path + ".id");
        String host = text(json, "host", path + ".host");
        int port = intField(json, "port", path + ".port");
        int busPort = intField(json, "busPort", path + ".busPort");
        NodeState state = NodeState.UP;
        JsonNode stateJson = json.get("state");
        if (stateJson != null && !stateJson.isNull()) {
            if (!stateJson.isTextual()) {
                throw new InvalidTopologyException(path + ".state must be a string, got " + kind(stateJson));
            }
            try {
                state = NodeState.fromWire(stateJson.textValue());
            } catch (IllegalArgumentException e) {
                throw new InvalidTopologyException(path + ".state: " + e.getMessage());
            }
        }
        return new ClusterNode(id, host, port, busPort, state);
    }

    private static SlotRange range(JsonNode json, String path) {
        object(json, path);
        int start = intField(json, "start", path + ".start");
        int end = intField(json, "end", path + ".end");
        JsonNode ownersJson = array(json, "owners", path + ".owners");
        List<NodeId> owners = new ArrayList<>(ownersJson.size());
        for (int i = 0; i < ownersJson.size(); i++) {
            owners.add(nodeId(ownersJson.get(i), path + ".owners[" + i + "]"));
        }
        return new SlotRange(start, end, owners);
    }

    private static NodeId nodeId(JsonNode json, String path) {
        if (!json.isTextual()) {
            throw new InvalidTopologyException(path + " must be a string, got " + kind(json));
        }
        try {
            return NodeId.parse(json.textValue());
        } catch (IllegalArgumentException e) {
            throw new InvalidTopologyException(path + ": " + e.getMessage());
        }
    }

    private static void object(JsonNode json, String path) {
        if (!json.isObject()) {
            throw new InvalidTopologyException(path + " must be an object, got " + kind(json));
        }
    }

    private static JsonNode required(JsonNode parent, String field, String path) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            throw new InvalidTopologyException("missing field " + path);
        }
        return value;
    }

    private static JsonNode array(JsonNode parent, String field, String path) {
        JsonNode value = required(parent, field, path);
        if (!value.isArray()) {
            throw new InvalidTopologyException(path + " must be an array, got " + kind(value));
        }
        return value;
    }

    private static String text(JsonNode parent, String field, String path) {
        JsonNode value = required(parent, field, path);
        if (!value.isTextual()) {
            throw new InvalidTopologyException(path + " must be a string, got " + kind(value));
        }
        return value.textValue();
    }

    private static long longField(JsonNode parent, String field, String path) {
        JsonNode value = required(parent, field, path);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new InvalidTopologyException(path + " must be an integer, got " + kind(value));
        }
        return value.longValue();
    }

    private static int intField(JsonNode parent, String field, String path) {
        JsonNode value = required(parent, field, path);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw new InvalidTopologyException(path + " must be an integer, got " + kind(value));
        }
        return value.intValue();
    }

    /** A short description of a JSON value for error messages, bounded in length whatever the input. */
    private static String kind(JsonNode value) {
        if (value.isTextual()) {
            String t = value.textValue();
            return "the string \"" + (t.length() > 40 ? t.substring(0, 40) + "..." : t) + "\"";
        }
        if (value.isNumber()) {
            String n = value.asText();
            return n.length() > 40 ? "a number out of range" : n;
        }
        if (value.isBoolean()) {
            return value.asText();
        }
        return value.isArray() ? "an array" : value.isObject() ? "an object" : value.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
