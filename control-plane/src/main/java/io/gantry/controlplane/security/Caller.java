package io.gantry.controlplane.security;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.api.ApiException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling: the subject for the audit log and the tenant every tenant-scoped query is
 * filtered by. The tenant comes only from the signed token, never from the request.
 */
@RequestScoped
public class Caller {
    @Inject
    SecurityIdentity identity;

    @Inject
    JsonWebToken token;

    @ConfigProperty(name = "gantry.auth.tenant-claim", defaultValue = "tenant")
    String tenantClaim;

    /** The caller's tenant; a token without one cannot use tenant paths. */
    public String tenant() {
        return tenantIfAny().orElseThrow(() -> new ApiException(ErrorCode.FORBIDDEN,
                    "the token carries no '" + tenantClaim + "' claim, so it cannot act on tenant resources"));
    }

    /** The caller's tenant, empty for a token without one (an operator's). */
    public Optional<String> tenantIfAny() {
        Object claim = token.getClaim(tenantClaim);
        String tenant = claim == null ? null : claim.toString().replace("\"", "");
        return tenant == null || tenant.isBlank() ? Optional.empty() : Optional.of(tenant);
    }

    public String actor() {
        String name = token.getClaim("preferred_username");
        return name != null ? name : identity.getPrincipal().getName();
    }
}
