package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses paths with empty or dot segments before routing. The HTTP layer normalizes them away
 * ({@code /accounts//rotate-secret} becomes {@code /accounts/rotate-secret}), so such a path would
 * reach an operation other than the one its segments name, with a path parameter the client did not
 * send; the security matrix found an account created that way. A path means what it says, or nothing.
 */
public class AmbiguousPathFilter {
    @ServerRequestFilter(preMatching = true)
    public Response refuseAmbiguousPaths(HttpServerRequest request) {
        if (request.path() == null) {
            return null;
        }
        // The normalizer decodes %2E first, so an encoded dot is a dot here too.
        String raw = request.path().replace("%2e", ".").replace("%2E", ".");
        if (raw.contains("//") || raw.contains("/./") || raw.contains("/../") || raw.endsWith("/.") || raw.endsWith("/..")) {
            return ErrorMappers.respond(ErrorCode.NOT_FOUND, "no such path: it has empty or dot segments", null);
        }
        return null;
    }
}
