package io.hyperkv.admin;

import io.hyperkv.cluster.repair.AntiEntropy;
import io.hyperkv.cluster.repair.RoundReport;
import io.hyperkv.server.LocalNode;
import io.hyperkv.server.NodeLifecycle;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /v1/repair?waitSeconds=N}: starts an anti-entropy round now (the next round to start; one running
 * already does not count). With {@code waitSeconds} (0..{@value #MAX_WAIT_SECONDS}, default 0) it waits that long for
 * the round: 200 with the round's report when it finished, else 202 {@code {"round": <id>, "state": "requested"}}
 * (its outcome then shows in {@code GET /v1/node}'s {@code antiEntropy.lastRound}). 409 on a node not in cluster mode
 * or without a topology.
 * Runs on a worker: the wait blocks.
 */
@Path("/v1/repair")
public class RepairResource {

    static final int MAX_WAIT_SECONDS = 600;

    @Inject
    NodeLifecycle lifecycle;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response repair(@QueryParam("waitSeconds") String waitSeconds) {
        int wait = AdminException.intParameter("waitSeconds", waitSeconds, 0, 0, MAX_WAIT_SECONDS);
        LocalNode node = lifecycle.localNode().orElseThrow(AdminException::unavailable);
        AntiEntropy ae = node.antiEntropy().orElseThrow(() -> new AdminException(409, node.cluster().enabled()
                ? "anti-entropy is not running yet" : "this node is not in cluster mode (hyperkv.cluster.enabled="
                + "false): it has no replicas to repair against"));
        AntiEntropy.Ticket ticket = ae.requestRound();
        try {
            RoundReport report = ticket.report().get(wait, TimeUnit.SECONDS);
            return Response.ok(AdminJson.Round.of(report)).build();
        } catch (TimeoutException e) {
            return Response.status(202).entity(new AdminJson.RepairStarted(ticket.round(), "requested")).build();
        } catch (ExecutionException e) {
            throw new AdminException(409, "no round ran: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AdminException.unavailable();
        }
    }
}
