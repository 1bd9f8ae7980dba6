package io.gantry.controlplane.security;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.api.ApiException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
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
        Object claim = token.getClaim(tenantClaim);
        String tenant = claim == null ? null : claim.toString().replace("\"", "");
        if (tenant == null || tenant.isBlank()) {
            throw new ApiException(ErrorCode.FORBIDDEN,
                    "the token carries no '" + tenantClaim + "' claim, so it cannot act on tenant resources");
        }
        return tenant;
    }

    public String actor() {
        String name = token.getClaim("preferred_username");
        return name != null ? name : identity.getPrincipal().getName();
    }
}
