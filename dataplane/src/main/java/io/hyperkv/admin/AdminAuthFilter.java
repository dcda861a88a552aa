package io.hyperkv.admin;

import io.hyperkv.server.HyperKvConfig;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Applies {@link AdminAuthorization} to every {@code /v1} call: a refused call gets 401 with a JSON message. */
@Singleton
public class AdminAuthFilter {

    // The filter is built while the application is being set up, before runtime configuration exists: read the
    // token on the first call.
    @Inject
    Provider<HyperKvConfig> config;
    private volatile AdminAuthorization authorization;

    private AdminAuthorization authorization() {
        AdminAuthorization a = authorization;
        if (a == null) {
            a = new AdminAuthorization(config.get().admin().token());
            authorization = a;
        }
        return a;
    }

    @ServerRequestFilter
    public Optional<Response> authorize(ContainerRequestContext context, HttpServerRequest request) {
        if (!request.path().startsWith("/v1/") && !request.path().equals("/v1")) {
            return Optional.empty();
        }
        String remote = request.remoteAddress() == null ? null : request.remoteAddress().hostAddress();
        return authorization().refusal(context.getHeaderString(HttpHeaders.AUTHORIZATION), remote)
                .map(why -> Response.status(Response.Status.UNAUTHORIZED)
                        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"hyperkv-admin\"")
                        .type(MediaType.APPLICATION_JSON_TYPE)
                        .entity(new AdminJson.Error(why))
                        .build());
    }
}
