package io.gantry.controlplane.api;

import static io.gantry.controlplane.api.InstanceScoped.Access.WRITE;

import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.audit.AuditedResource;
import io.gantry.api.ErrorCode;
import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.model.AclRuleEntity;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.acl.AclAction;
import io.gantry.isolation.acl.AclRule;
import io.gantry.isolation.acl.Cidr;
import io.gantry.isolation.acl.InvalidAclRuleException;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.naming.NameViolation;
import io.gantry.isolation.naming.ResourceNames;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Map;

/**
 * An account's ACL rules. They bind NORMAL accounts only (an ADMIN account has every permission of
 * its instance), take effect at the gateways with the next config snapshot, and are immutable: a
 * change is a delete and a create.
 */
@Path("/api/v1/instances/{instanceId}/accounts/{username}/acls")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AclsResource implements AuditedResource {
    /** Per rule; an allowlist of the instance as a whole belongs in the instance's ipAllowlist. */
    static final int MAX_SOURCE_CIDRS = 20;

    @Inject
    Views views;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.Page<Dtos.AclRuleView> list(@PathParam("instanceId") String instanceId,
                                            @PathParam("username") String username,
                                            @QueryParam("pageSize") String pageSize,
                                            @QueryParam("pageToken") String pageToken) {
        account(instanceId, username);
        return PageTokens.page(pageSize, pageToken,
                after -> AclRuleEntity.<AclRuleEntity>find(
                        "instanceId = ?1 and username = ?2 and ruleId > ?3 order by ruleId", instanceId, username, after),
                r -> r.ruleId, views::aclRule);
    }

    @GET
    @Path("{ruleId}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.AclRuleView get(@PathParam("instanceId") String instanceId, @PathParam("username") String username,
                                @PathParam("ruleId") String ruleId) {
        account(instanceId, username);
        return views.aclRule(find(instanceId, username, ruleId));
    }

    /** Under the instance's row lock: the per-account rule count is checked and raised there. */
    @POST
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "acl-rule", verb = Audited.CREATE)
    public Response create(@PathParam("instanceId") String instanceId, @PathParam("username") String username,
                           Dtos.AclRuleCreate body) {
        Validation.body(body);
        account(instanceId, username);
        AclRule rule = rule(instanceId, body);
        InstanceQuotas.admitOneMore(instanceId, "aclRulesPerAccount", InstanceQuotas.MAX_ACL_RULES_PER_ACCOUNT,
                AclRuleEntity.count("instanceId = ?1 and username = ?2", instanceId, username));
        AclRuleEntity r = new AclRuleEntity();
        r.ruleId = "acl-" + InstanceIds.randomBase32(12);
        r.instanceId = instanceId;
        r.username = username;
        r.resourceType = rule.resourceType().name();
        r.resourceName = rule.resourceName();
        r.pattern = rule.pattern().name();
        r.actions = new ArrayList<>(rule.actions().stream().map(AclAction::name).toList());
        r.decision = rule.decision().name();
        r.sourceCidrs = new ArrayList<>(rule.sourceCidrs().stream().map(Cidr::toString).toList());
        r.createdAt = Instant.now();
        r.persist();
        return Response.status(Response.Status.CREATED).entity(views.aclRule(r))
                .location(URI.create("/api/v1/instances/" + instanceId + "/accounts/" + username + "/acls/" + r.ruleId))
                .build();
    }

    @DELETE
    @Path("{ruleId}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped
    @Audited(kind = "acl-rule", verb = Audited.DELETE)
    public Response delete(@PathParam("instanceId") String instanceId, @PathParam("username") String username,
                           @PathParam("ruleId") String ruleId) {
        account(instanceId, username);
        find(instanceId, username, ruleId).delete();
        return Response.noContent().build();
    }

    @Override
    public AuditSubject auditView(String kind, Map<String, String> path) {
        AclRuleEntity r = AclRuleEntity.findById(path.get("ruleId"));
        return r == null || !r.instanceId.equals(path.get("instanceId")) || !r.username.equals(path.get("username"))
                ? null : views.aclRule(r);
    }

    /**
     * Names follow the rules of the topics and groups they speak about, so a rule cannot name a
     * namespaced, retry, dead-letter or system resource; tenant-isolation's {@link AclRule#of} checks
     * the rest and names the field.
     */
    private static AclRule rule(String instanceId, Dtos.AclRuleCreate body) {
        String name = body.resourceName();
        if (name != null && !name.isEmpty()) {
            ResourceNames.check(name, instanceId).ifPresent(v -> {
                throw new ApiException(v.kind() == NameViolation.Kind.RESERVED ? ErrorCode.RESERVED_NAME
                        : ErrorCode.INVALID_NAME, "resourceName '" + name + "' " + v.message(), "resourceName");
            });
        }
        if (body.sourceCidrs() != null && body.sourceCidrs().size() > MAX_SOURCE_CIDRS) {
            throw ApiException.invalid("sourceCidrs", "may hold at most " + MAX_SOURCE_CIDRS + " entries");
        }
        try {
            return AclRule.of(body.resourceType(), name, body.pattern(), body.actions(), body.decision(),
                    body.sourceCidrs());
        } catch (InvalidAclRuleException e) {
            throw new ApiException(ErrorCode.INVALID_FIELD, e.getMessage(), e.field());
        }
    }

    private static AccountEntity account(String instanceId, String username) {
        return AccountEntity.<AccountEntity>find("instanceId = ?1 and username = ?2", instanceId, username)
                .firstResultOptional().orElseThrow(() -> ApiException.notFound("account", username));
    }

    private static AclRuleEntity find(String instanceId, String username, String ruleId) {
        AclRuleEntity r = AclRuleEntity.findById(ruleId);
        if (r == null || !r.instanceId.equals(instanceId) || !r.username.equals(username)) {
            throw ApiException.notFound("ACL rule", ruleId);
        }
        return r;
    }
}
