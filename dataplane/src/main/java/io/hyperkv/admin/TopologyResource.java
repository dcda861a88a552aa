package io.hyperkv.admin;

import io.hyperkv.cluster.CurrentTopology;
import io.hyperkv.cluster.InvalidTopologyException;
import io.hyperkv.cluster.Topology;
import io.hyperkv.cluster.TopologyCodec;
import io.hyperkv.server.LocalNode;
import io.hyperkv.server.NodeLifecycle;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;

/**
 * {@code PUT /v1/topology}: offers a topology document ({@link TopologyCodec}'s JSON) to this node. The answer is
 * always the epoch in force after the call and the outcome of {@link CurrentTopology#offer}: 200 for
 * {@code installed}, {@code already-in-force} and {@code stale} (a node keeps its higher epoch and says which), 409 for
 * {@code conflict} (same epoch, different content: the author must send a higher epoch), 400 for a document that does
 * not parse or breaks a topology rule, 409 on a node not in cluster mode. Runs on a worker: installing fsyncs.
 */
@Path("/v1/topology")
public class TopologyResource {

    @Inject
    NodeLifecycle lifecycle;

    @PUT
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response install(byte[] body) {
        LocalNode node = lifecycle.localNode().orElseThrow(AdminException::unavailable);
        if (!node.cluster().enabled()) {
            throw new AdminException(409, "this node is not in cluster mode (hyperkv.cluster.enabled=false):"
                    + " it takes no topology");
        }
        Topology candidate;
        try {
            candidate = TopologyCodec.decode(body == null ? new byte[0] : body);
        } catch (InvalidTopologyException e) {
            throw AdminException.badRequest(e.getMessage());
        }
        CurrentTopology.Offer offer = node.offerTopology(candidate, "the admin API");
        String outcome = offer.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-');
        if (offer.outcome() == CurrentTopology.Outcome.CONFLICT) {
            return Response.status(409).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new AdminJson.TopologyAnswer(offer.epochInForce(), outcome, "epoch "
                            + offer.epochInForce() + " is in force with different content; send the new document"
                            + " with a higher epoch"))
                    .build();
        }
        return Response.ok(new AdminJson.TopologyAnswer(offer.epochInForce(), outcome, null)).build();
    }
}
