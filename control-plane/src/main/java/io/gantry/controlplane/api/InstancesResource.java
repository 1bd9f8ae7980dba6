package io.gantry.controlplane.api;

import static io.gantry.controlplane.api.InstanceScoped.Access.WRITE;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.audit.AuditedResource;
import io.gantry.controlplane.model.AccountEntity;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.model.Conditions;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.Status;
import io.gantry.controlplane.model.TopicEntity;
import io.gantry.controlplane.provisioning.Operations;
import io.gantry.controlplane.security.Caller;
import io.gantry.controlplane.security.Roles;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

@Path("/api/v1/instances")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class InstancesResource implements AuditedResource {
    @Inject
    Caller caller;
    @Inject
    TenantInstances instances;
    @Inject
    ScopedInstance scoped;
    @Inject
    TenantQuotas tenantQuotas;
    @Inject
    Views views;
    @Inject
    ProvisioningWrites writes;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    public Dtos.Page<Dtos.InstanceView> list(@QueryParam("pageSize") String pageSize,
                                             @QueryParam("pageToken") String pageToken) {
        String tenant = caller.tenant();
        return PageTokens.pageOfViews(pageSize, pageToken,
                after -> InstanceEntity.<InstanceEntity>find("tenantId = ?1 and instanceId > ?2 order by instanceId", tenant, after),
                i -> i.instanceId, views::instances);
    }

    @GET
    @Path("{instanceId}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER})
    @InstanceScoped
    public Dtos.InstanceView get(@PathParam("instanceId") String instanceId) {
        return views.instance(scoped.get(), null);
    }

    @POST
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @Audited(kind = "instance", verb = Audited.CREATE)
    public Response create(Dtos.InstanceCreate body) {
        Validation.body(body);
        String tenant = caller.tenant();
        String name = Validation.displayName(body.name(), "name");
        String region = Validation.regionId(body.regionId(), "regionId");
        if (ClusterEntity.count("regionId = ?1 and state = ?2", region, ClusterEntity.State.ACTIVE) == 0) {
            throw ApiException.invalid("regionId", "names region '" + region + "', which is not offered (see /api/v1/regions)");
        }
        Edition edition = edition(body.edition());
        int tps = body.tpsSpec() == null ? edition.smallestSpec().tps() : tpsSpec(null, edition, body.tpsSpec(), null);
        int retention = body.retentionHours() == null ? edition.defaultRetentionHours()
                : retentionHours(null, edition, body.retentionHours(), null);
        List<String> allowlist = ipAllowlist(null, body.ipAllowlist(), 0);
        tenantQuotas.admitOneMoreInstance(tenant);

        InstanceEntity i = new InstanceEntity();
        i.instanceId = InstanceIds.newId();
        i.tenantId = tenant;
        i.name = name;
        i.regionId = region;
        i.edition = edition.code();
        i.tpsSpec = tps;
        i.retentionHours = retention;
        i.remark = Validation.remark(body.remark(), "remark");
        i.tags = new HashMap<>(Validation.tags(body.tags()));
        i.ipAllowlist = new ArrayList<>(allowlist);
        return writes.create(i, i, Operations.INSTANCE, i.instanceId, "waiting for placement on a cluster",
                operationId -> views.instance(i, operationId), "/api/v1/instances/" + i.instanceId);
    }

    @PATCH
    @Path("{instanceId}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped(WRITE)
    @Audited(kind = "instance", verb = Audited.UPDATE)
    public Response update(@PathParam("instanceId") String instanceId, Dtos.InstanceUpdate body) {
        Validation.body(body);
        InstanceEntity i = scoped.get();
        if (body.regionId() != null && !body.regionId().equals(i.regionId)) {
            throw new ApiException(ErrorCode.IMMUTABLE_FIELD, "instance '" + instanceId + "': regionId cannot change", "regionId");
        }
        if (body.edition() != null && !body.edition().equals(i.edition)) {
            throw new ApiException(ErrorCode.IMMUTABLE_FIELD, "instance '" + instanceId + "': edition cannot change", "edition");
        }
        Edition edition = Editions.byCode(i.edition).orElseThrow();
        boolean provisioned = false;
        if (body.name() != null) {
            i.name = Validation.displayName(body.name(), "name");
        }
        if (body.remark() != null) {
            i.remark = Validation.remark(body.remark(), "remark");
        }
        if (body.tags() != null) {
            i.tags = new HashMap<>(Validation.tags(body.tags()));
        }
        if (body.ipAllowlist() != null) {
            // Not provisioned: gateways apply it from the next config snapshot.
            i.ipAllowlist = new ArrayList<>(ipAllowlist(instanceId, body.ipAllowlist(), i.ipAllowlist.size()));
        }
        if (body.tpsSpec() != null && body.tpsSpec() != i.tpsSpec) {
            i.tpsSpec = tpsSpec(instanceId, edition, body.tpsSpec(), (long) i.tpsSpec);
            provisioned = true;
        }
        if (body.retentionHours() != null && body.retentionHours() != i.retentionHours) {
            i.retentionHours = retentionHours(instanceId, edition, body.retentionHours(), (long) i.retentionHours);
            provisioned = true;
        }
        return writes.update(i, i, provisioned, Operations.INSTANCE, instanceId, operationId -> views.instance(i, operationId));
    }

    @DELETE
    @Path("{instanceId}")
    @RolesAllowed(Roles.TENANT_ADMIN)
    @Transactional
    @InstanceScoped
    @Audited(kind = "instance", verb = Audited.DELETE)
    public Response delete(@PathParam("instanceId") String instanceId) {
        InstanceEntity found = scoped.get();
        if (found.status == Status.DELETING) {
            return Response.accepted(views.instance(found, null)).build();
        }
        InstanceEntity i = instances.getForWrite(found.tenantId, instanceId);
        String operationId = writes.change(i, i, Status.DELETING, Operations.INSTANCE, instanceId);
        Instant now = i.updatedAt;
        i.setCondition(Conditions.Type.READY, false, Conditions.Reason.DELETING, "removing topics and groups from the cluster", now);
        // Credentials stop working at once; broker resources follow through the provisioner.
        AccountEntity.delete("instanceId", instanceId);
        for (TopicEntity t : TopicEntity.<TopicEntity>list("instanceId", instanceId)) {
            if (t.status != Status.DELETING) {
                t.requestChange(Status.DELETING, now);
            }
        }
        for (ConsumerGroupEntity g : ConsumerGroupEntity.<ConsumerGroupEntity>list("instanceId", instanceId)) {
            if (g.status != Status.DELETING) {
                g.requestChange(Status.DELETING, now);
            }
        }
        return Response.accepted(views.instance(i, operationId)).build();
    }

    @Override
    public AuditSubject auditView(String kind, Map<String, String> path) {
        // Runs after @InstanceScoped resolved the instance for the caller.
        return views.instance(scoped.get(), null);
    }

    private static Edition edition(String code) {
        Validation.required(code, "edition");
        return Editions.byCode(code).orElseThrow(() -> ApiException.invalid("edition",
                "must be one of " + Editions.all().stream().map(Edition::code).toList()));
    }

    /** Above the edition's largest spec is a quota (a bigger edition buys it); between specs is just invalid. */
    private static int tpsSpec(String instanceId, Edition edition, int tps, Long current) {
        InstanceQuotas.admitValue(instanceId, "tpsSpec", "tpsSpec", InstanceQuotas.largestSpec(edition), current, tps);
        return edition.spec(tps).orElseThrow(() -> ApiException.invalid("tpsSpec",
                "must be one of the '" + edition.code() + "' edition's specs "
                        + edition.tpsSpecs().stream().map(Edition.TpsSpec::tps).toList())).tps();
    }

    private static int retentionHours(String instanceId, Edition edition, int hours, Long current) {
        if (hours < 1) {
            throw ApiException.invalid("retentionHours", "must be at least 1");
        }
        return InstanceQuotas.admitValue(instanceId, "retentionHours", "retentionHours", edition.maxRetentionHours(),
                current, hours);
    }

    private static List<String> ipAllowlist(String instanceId, List<String> requested, int current) {
        List<String> cidrs = Validation.cidrs(requested, "ipAllowlist");
        InstanceQuotas.admitValue(instanceId, "ipAllowlistEntries", "ipAllowlist",
                InstanceQuotas.MAX_IP_ALLOWLIST_ENTRIES, (long) current, cidrs.size());
        return cidrs;
    }
}
