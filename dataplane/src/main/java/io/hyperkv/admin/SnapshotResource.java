package io.hyperkv.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hyperkv.server.LocalNode;
import io.hyperkv.server.NodeLifecycle;
import io.hyperkv.store.Checkpoints;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.file.Files;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/snapshots} makes a RocksDB checkpoint under {@code <data dir>/checkpoints/<id>} (hard links, so it
 * is instant and costs no space until the store moves on) after fsyncing the log; {@code GET /v1/snapshots} lists the
 * checkpoints with their sizes, SAVE's {@code save-*} ones included. The request body is optional:
 * {@code {"id": "nightly-1"}} names the checkpoint ({@code [A-Za-z0-9._-]}, 1 to 128 characters, not starting with
 * {@code .} or {@code save-}, which SAVE prunes); without one the id is {@code snap-<UTC time>}. An id in use is 409.
 * Runs on a worker; checkpoints are made one at a time.
 */
@Path("/v1/snapshots")
public class SnapshotResource {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final DateTimeFormatter GENERATED = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Object ONE_AT_A_TIME = new Object();

    @Inject
    NodeLifecycle lifecycle;
    @Inject
    ObjectMapper json;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response create(byte[] body) {
        String requested = requestedId(body);
        LocalNode node = lifecycle.localNode().orElseThrow(AdminException::unavailable);
        Checkpoints checkpoints = node.checkpoints();
        synchronized (ONE_AT_A_TIME) {
            String id = requested;
            if (id == null) {
                String base = "snap-" + GENERATED.format(Instant.now());
                id = base;
                for (int n = 1; Files.exists(checkpoints.root().resolve(id)); n++) {
                    id = base + "-" + n;
                }
            } else if (Files.exists(checkpoints.root().resolve(id))) {
                throw new AdminException(409, "snapshot \"" + id + "\" exists");
            }
            node.sync();
            return Response.status(201).entity(snapshot(checkpoints.create(id))).build();
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public AdminJson.Snapshots list() {
        LocalNode node = lifecycle.localNode().orElseThrow(AdminException::unavailable);
        return new AdminJson.Snapshots(node.checkpoints().list().stream().map(SnapshotResource::snapshot).toList());
    }

    /** The id the body asks for, null when it asks for none. */
    private String requestedId(byte[] body) {
        if (body == null || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            return null;
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw AdminException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw AdminException.badRequest("the body is not valid JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw AdminException.badRequest("the body must be a JSON object such as {\"id\": \"nightly-1\"}");
        }
        JsonNode id = root.get("id");
        if (id == null || id.isNull()) {
            return null;
        }
        if (!id.isTextual()) {
            throw AdminException.badRequest("id must be a string");
        }
        String text = id.textValue();
        if (!ID.matcher(text).matches()) {
            throw AdminException.badRequest("invalid snapshot id \"" + (text.length() > 64 ? text.substring(0, 64)
                    + "..." : text) + "\": 1 to 128 of A-Z a-z 0-9 . _ - not starting with a dot");
        }
        if (text.startsWith("save-")) {
            throw AdminException.badRequest("snapshot ids starting with \"save-\" are SAVE's (it keeps only the"
                    + " latest); pick another id");
        }
        return text;
    }

    private static AdminJson.Snapshot snapshot(Checkpoints.Info info) {
        return new AdminJson.Snapshot(info.id(), info.bytes(), Instant.ofEpochMilli(info.createdMillis()).toString());
    }
}
