package io.hyperkv.admin;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A refused admin call: its HTTP status and a message, answered as {@link AdminJson.Error}. */
final class AdminException extends RuntimeException {

    private final int status;

    AdminException(int status, String message) {
        super(message);
        this.status = status;
    }

    static AdminException badRequest(String message) {
        return new AdminException(400, message);
    }

    /**
     * A query parameter that must be an integer in {@code min..max}: {@code absent} when the parameter is missing, a
     * 400 naming it otherwise.
     */
    static int intParameter(String name, String text, int absent, int min, int max) {
        if (text == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(text.strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw badRequest(name + " must be an integer in " + min + ".." + max + ", got \""
                + (text.length() > 20 ? text.substring(0, 20) + "..." : text) + "\"");
    }

    static AdminException unavailable() {
        return new AdminException(503, "the node is starting or stopping");
    }

    static final class Mapper {
        @ServerExceptionMapper
        public Response map(AdminException e) {
            return Response.status(e.status).type(MediaType.APPLICATION_JSON_TYPE)
                    .entity(new AdminJson.Error(e.getMessage())).build();
        }
    }
}
