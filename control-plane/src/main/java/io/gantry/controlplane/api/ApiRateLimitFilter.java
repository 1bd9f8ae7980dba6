package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.isolation.throttle.TokenBucket;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * A request rate per tenant for the whole API. Every write rebuilds the config snapshot that all
 * gateways load, and every read costs the shared database: one tenant's script must not slow the
 * others. Keyed by the verified token only (a tenant claim, or the subject of a token without one),
 * so nobody can spend another tenant's rate by sending a forged token; unauthenticated requests are
 * left to the authentication that refuses them.
 */
public class ApiRateLimitFilter {
    @Inject
    ApiRateConfig config;
    @ConfigProperty(name = "gantry.auth.tenant-claim", defaultValue = "tenant")
    String tenantClaim;

    @Inject
    CurrentIdentityAssociation identities;

    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    @ServerRequestFilter
    public Uni<Response> limit() {
        return identities.getDeferredIdentity().map(this::admit)
                // a token that fails verification is answered 401 by the resource's security check
                .onFailure().recoverWithItem((Response) null);
    }

    private Response admit(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            return null;
        }
        String tenant = tenant(identity);
        double rate = tenant == null ? config.requestsPerSecond()
                : config.tenants().getOrDefault(tenant, config.requestsPerSecond());
        if (rate <= 0) {
            return null;
        }
        String key = tenant != null ? "tenant '" + tenant + "'" : "caller '" + identity.getPrincipal().getName() + "'";
        TokenBucket bucket = buckets.computeIfAbsent(key,
                k -> new TokenBucket(rate, config.burstSeconds(), System::nanoTime));
        if (bucket.tryTake(1)) {
            return null;
        }
        long retryAfter = Math.max(1, (long) Math.ceil(1 / rate));
        return Response.fromResponse(ErrorMappers.respond(ErrorCode.TOO_MANY_REQUESTS,
                        key + " is over its API rate of " + rate + " requests per second; retry after "
                                + retryAfter + " s", null))
                .header("Retry-After", retryAfter).build();
    }

    private String tenant(SecurityIdentity identity) {
        if (identity.getPrincipal() instanceof JsonWebToken jwt) {
            Object tenant = jwt.getClaim(tenantClaim);
            if (tenant != null && !tenant.toString().isBlank()) {
                return tenant.toString().replace("\"", "");
            }
        }
        return null;
    }
}
