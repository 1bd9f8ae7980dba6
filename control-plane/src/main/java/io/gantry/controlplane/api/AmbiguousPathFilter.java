package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses paths with empty or dot segments before routing. The HTTP layer normalizes them away
 * ({@code /accounts//rotate-secret} becomes {@code /accounts/rotate-secret}), so such a path would
 * reach an operation other than the one its segments name, with a path parameter the client did not
 * send; the security matrix found an account created that way. A path means what it says, or nothing.
 * Control characters (an encoded NUL, say) name no resource and cannot be stored: refused as well.
 */
public class AmbiguousPathFilter {
    private static final Pattern ENCODED_CONTROL = Pattern.compile("%(0[0-9a-fA-F]|1[0-9a-fA-F]|7[fF])");

    @ServerRequestFilter(preMatching = true)
    public Response refuseAmbiguousPaths(HttpServerRequest request) {
        if (request.path() == null) {
            return null;
        }
        if (request.uri() != null && ENCODED_CONTROL.matcher(request.uri()).find()) {
            return ErrorMappers.respond(ErrorCode.MALFORMED_REQUEST,
                    "the path or query holds a control character (such as %00), which no resource name has", null);
        }
        // The normalizer decodes %2E first, so an encoded dot is a dot here too.
        String raw = request.path().replace("%2e", ".").replace("%2E", ".");
        if (raw.contains("//") || raw.contains("/./") || raw.contains("/../") || raw.endsWith("/.") || raw.endsWith("/..")) {
            return ErrorMappers.respond(ErrorCode.NOT_FOUND, "no such path: it has empty or dot segments", null);
        }
        return null;
    }
}
