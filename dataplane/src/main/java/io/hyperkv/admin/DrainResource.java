package io.hyperkv.admin;

import io.hyperkv.server.DrainReport;
import io.hyperkv.server.LocalNode;
import io.hyperkv.server.NodeLifecycle;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Duration;

/**
 * {@code POST /v1/drain?timeoutSeconds=N} (default {@value #DEFAULT_TIMEOUT_SECONDS}, at most
 * {@value #MAX_TIMEOUT_SECONDS}): what the pod's preStop hook calls before the pod stops. Blocks until the node is
 * drained (200) or the timeout passes (503, saying what was still pending); see {@code NodeDrain} for the steps.
 * The default stays below the preStop's 50 s curl limit and the pod's 60 s termination grace period.
 */
@Path("/v1/drain")
public class DrainResource {

    static final int DEFAULT_TIMEOUT_SECONDS = 30;
    static final int MAX_TIMEOUT_SECONDS = 3600;

    @Inject
    NodeLifecycle lifecycle;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Response drain(@QueryParam("timeoutSeconds") String timeoutSeconds) {
        int seconds = AdminException.intParameter("timeoutSeconds", timeoutSeconds, DEFAULT_TIMEOUT_SECONDS, 1,
                MAX_TIMEOUT_SECONDS);
        LocalNode node = lifecycle.localNode().orElseThrow(AdminException::unavailable);
        DrainReport report = node.drain(Duration.ofSeconds(seconds));
        AdminJson.Drain body = new AdminJson.Drain(report.drained(), report.connectionsClosed(),
                report.elapsedMillis(), report.problem().orElse(null));
        return Response.status(report.drained() ? 200 : 503).entity(body).build();
    }
}
