package io.gantry.controlplane.api;

import static io.gantry.controlplane.api.InstanceScoped.Access.WRITE;

import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.audit.AuditedResource;
import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.secrets.SecretCipher;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.acl.AccountType;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.Editions;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * Accounts are the credentials an SDK signs with. They are not provisioned on brokers (the
 * gateway verifies signatures and re-signs upstream with Gantry's own credentials), so writes
 * take effect at once. The secret is shown only in the answers to create and rotate.
 */
@Path("/api/v1/instances/{instanceId}/accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AccountsResource implements AuditedResource {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    ScopedInstance scoped;
    @Inject
    Views views;
    @Inject
    SecretCipher cipher;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.Page<Dtos.AccountView> list(@PathParam("instanceId") String instanceId,
                                            @QueryParam("pageSize") String pageSize,
                                            @QueryParam("pageToken") String pageToken) {
        return PageTokens.page(pageSize, pageToken,
                after -> AccountEntity.<AccountEntity>find("instanceId = ?1 and username > ?2 order by username", instanceId, after),
                a -> a.username, a -> views.account(a, null));
    }

    @GET
    @Path("{username}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.AccountView get(@PathParam("instanceId") String instanceId, @PathParam("username") String username) {
        return views.account(find(instanceId, username), null);
    }

    @POST
    @Path("{username}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "account", verb = Audited.CREATE)
    public Response create(@PathParam("instanceId") String instanceId, @PathParam("username") String username,
                           Dtos.AccountCreate body) {
        // The body is optional: an account needs nothing but its name.
        Dtos.AccountCreate request = body == null ? new Dtos.AccountCreate(null, null, null) : body;
        Validation.username(username);
        // Without a type an account keeps every permission of its instance, as accounts did before ACLs;
        // the type is stored and shown, so the gateway never has to guess it.
        AccountType type = request.accountType() == null ? AccountType.ADMIN
                : Validation.oneOf(AccountType.class, request.accountType(), "accountType");
        String remark = Validation.remark(request.remark(), "remark");
        if (AccountEntity.find("instanceId = ?1 and username = ?2", instanceId, username).firstResultOptional().isPresent()) {
            throw ApiException.alreadyExists("account", username, instanceId, "username");
        }
        Edition edition = Editions.byCode(scoped.get().edition).orElseThrow();
        InstanceQuotas.admitOneMore(instanceId, "accounts", edition.maxAccounts(), AccountEntity.count("instanceId", instanceId));
        Instant now = Instant.now();
        String secret = newSecret();
        AccountEntity a = new AccountEntity();
        a.instanceId = instanceId;
        a.username = username;
        a.accessKey = "AK" + InstanceIds.randomBase32(20).toUpperCase(Locale.ROOT);
        a.secretEnc = cipher.encrypt(secret);
        a.enabled = request.enabled() == null || request.enabled();
        a.accountType = type;
        a.remark = remark;
        a.createdAt = now;
        a.updatedAt = now;
        a.persist();
        return Response.status(Response.Status.CREATED).entity(views.account(a, secret))
                .location(URI.create("/api/v1/instances/" + instanceId + "/accounts/" + username)).build();
    }

    @PATCH
    @Path("{username}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "account", verb = Audited.UPDATE)
    public Dtos.AccountView update(@PathParam("instanceId") String instanceId, @PathParam("username") String username,
                                   Dtos.AccountUpdate body) {
        Validation.body(body);
        AccountEntity a = find(instanceId, username);
        if (body.enabled() != null) {
            a.enabled = body.enabled();
        }
        if (body.remark() != null) {
            a.remark = Validation.remark(body.remark(), "remark");
        }
        if (body.accountType() != null) {
            a.accountType = Validation.oneOf(AccountType.class, body.accountType(), "accountType");
        }
        a.updatedAt = Instant.now();
        return views.account(a, null);
    }

    @POST
    @Path("{username}/rotate-secret")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "account", verb = "rotate-secret")
    public Dtos.AccountView rotateSecret(@PathParam("instanceId") String instanceId,
                                         @PathParam("username") String username) {
        AccountEntity a = find(instanceId, username);
        String secret = newSecret();
        a.secretEnc = cipher.encrypt(secret);
        a.updatedAt = Instant.now();
        return views.account(a, secret);
    }

    @DELETE
    @Path("{username}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped
    @Audited(kind = "account", verb = Audited.DELETE)
    public Response delete(@PathParam("instanceId") String instanceId, @PathParam("username") String username) {
        find(instanceId, username).delete();
        return Response.noContent().build();
    }

    @Override
    public AuditSubject auditView(String kind, Map<String, String> path) {
        return AccountEntity.<AccountEntity>find("instanceId = ?1 and username = ?2", path.get("instanceId"),
                path.get("username")).firstResultOptional().map(a -> views.account(a, null)).orElse(null);
    }

    private static AccountEntity find(String instanceId, String username) {
        return AccountEntity.<AccountEntity>find("instanceId = ?1 and username = ?2", instanceId, username)
                .firstResultOptional().orElseThrow(() -> ApiException.notFound("account", username));
    }

    private static String newSecret() {
        byte[] raw = new byte[30];
        RANDOM.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
