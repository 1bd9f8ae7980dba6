package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.audit.AuditLog;
import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.secrets.SecretCipher;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.acl.AccountType;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.quota.Edition;
import io.gantry.isolation.quota.Editions;
import io.gantry.isolation.quota.QuotaCheck;
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

/**
 * Accounts are the credentials an SDK signs with. They are not provisioned on brokers (the
 * gateway verifies signatures and re-signs upstream with Gantry's own credentials), so writes
 * take effect at once. The secret is shown only in the answers to create and rotate.
 */
@Path("/api/v1/instances/{instanceId}/accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AccountsResource {
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    Caller caller;
    @Inject
    TenantInstances instances;
    @Inject
    Views views;
    @Inject
    AuditLog audit;
    @Inject
    SecretCipher cipher;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    public Dtos.Page<Dtos.AccountView> list(@PathParam("instanceId") String instanceId,
                                            @QueryParam("pageSize") String pageSize,
                                            @QueryParam("pageToken") String pageToken) {
        instances.get(caller.tenant(), instanceId);
        return PageTokens.page(pageSize, pageToken,
                after -> AccountEntity.<AccountEntity>find("instanceId = ?1 and username > ?2 order by username", instanceId, after),
                a -> a.username, a -> views.account(a, null));
    }

    @GET
    @Path("{username}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    public Dtos.AccountView get(@PathParam("instanceId") String instanceId, @PathParam("username") String username) {
        instances.get(caller.tenant(), instanceId);
        return views.account(find(instanceId, username), null);
    }

    @POST
    @Path("{username}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    public Response create(@PathParam("instanceId") String instanceId, @PathParam("username") String username,
                           Dtos.AccountCreate body) {
        String tenant = caller.tenant();
        InstanceEntity instance = instances.getForWrite(tenant, instanceId);
        Validation.username(username);
        Dtos.AccountCreate request = body == null ? new Dtos.AccountCreate(null, null, null) : body;
        // Without a type an account keeps every permission of its instance, as accounts did before ACLs.
        AccountType type = request.accountType() == null ? AccountType.ADMIN
                : Validation.oneOf(AccountType.class, request.accountType(), "accountType");
        if (AccountEntity.find("instanceId = ?1 and username = ?2", instanceId, username).firstResultOptional().isPresent()) {
            throw new ApiException(ErrorCode.ALREADY_EXISTS,
                    "account '" + username + "' already exists in instance '" + instanceId + "'", "username");
        }
        Edition edition = Editions.byCode(instance.edition).orElseThrow();
        QuotaCheck.admitOneMore("accounts", edition.maxAccounts(), AccountEntity.count("instanceId", instanceId))
                .ifPresent(q -> {
                    throw new ApiException(ErrorCode.QUOTA_EXCEEDED, "instance '" + instanceId + "': " + q.message());
                });
        Instant now = Instant.now();
        String secret = newSecret();
        AccountEntity a = new AccountEntity();
        a.instanceId = instanceId;
        a.username = username;
        a.accessKey = "AK" + InstanceIds.randomBase32(20).toUpperCase(Locale.ROOT);
        a.secretEnc = cipher.encrypt(secret);
        a.enabled = request.enabled() == null || request.enabled();
        a.accountType = type;
        a.remark = Validation.remark(request.remark(), "remark");
        a.createdAt = now;
        a.updatedAt = now;
        a.persist();
        audit.record(caller.actor(), tenant, "account.create", "ACCOUNT", instanceId + "/" + username, null,
                views.account(a, null));
        return Response.status(Response.Status.CREATED).entity(views.account(a, secret))
                .location(URI.create("/api/v1/instances/" + instanceId + "/accounts/" + username)).build();
    }

    @PATCH
    @Path("{username}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    public Dtos.AccountView update(@PathParam("instanceId") String instanceId, @PathParam("username") String username,
                                   Dtos.AccountUpdate body) {
        Validation.body(body);
        String tenant = caller.tenant();
        instances.getForWrite(tenant, instanceId);
        AccountEntity a = find(instanceId, username);
        Dtos.AccountView before = views.account(a, null);
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
        Dtos.AccountView after = views.account(a, null);
        audit.record(caller.actor(), tenant, "account.update", "ACCOUNT", instanceId + "/" + username, before, after);
        return after;
    }

    @POST
    @Path("{username}/rotate-secret")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    public Dtos.AccountView rotateSecret(@PathParam("instanceId") String instanceId,
                                         @PathParam("username") String username) {
        String tenant = caller.tenant();
        instances.getForWrite(tenant, instanceId);
        AccountEntity a = find(instanceId, username);
        String secret = newSecret();
        a.secretEnc = cipher.encrypt(secret);
        a.updatedAt = Instant.now();
        audit.record(caller.actor(), tenant, "account.rotate-secret", "ACCOUNT", instanceId + "/" + username, null,
                views.account(a, null));
        return views.account(a, secret);
    }

    @DELETE
    @Path("{username}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    public Response delete(@PathParam("instanceId") String instanceId, @PathParam("username") String username) {
        String tenant = caller.tenant();
        instances.get(tenant, instanceId);
        AccountEntity a = find(instanceId, username);
        Dtos.AccountView before = views.account(a, null);
        a.delete();
        audit.record(caller.actor(), tenant, "account.delete", "ACCOUNT", instanceId + "/" + username, before, null);
        return Response.noContent().build();
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
