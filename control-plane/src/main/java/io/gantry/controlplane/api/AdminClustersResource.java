package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.audit.AuditSubject;
import io.gantry.controlplane.audit.Audited;
import io.gantry.controlplane.audit.AuditedResource;
import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.provisioning.ClusterTarget;
import io.gantry.controlplane.provisioning.ClusterUnavailableException;
import io.gantry.controlplane.provisioning.ProvisioningRequested;
import io.gantry.controlplane.provisioning.RocketMqAdmin;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.controlplane.secrets.SecretCipher;
import io.gantry.controlplane.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.enterprise.event.Event;
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
import java.util.List;
import java.util.Map;

/** Physical clusters, for platform operators: where instances can be placed, and what each holds. */
@Path("/api/v1/admin/clusters")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@RolesAllowed(Roles.PLATFORM_OPERATOR)
public class AdminClustersResource implements AuditedResource {
    @Inject
    Views views;
    @Inject
    SecretCipher cipher;
    @Inject
    Event<ProvisioningRequested> provisioning;
    @Inject
    RocketMqAdmin admin;

    @GET
    public Dtos.Page<Dtos.ClusterView> list(@QueryParam("pageSize") String pageSize,
                                            @QueryParam("pageToken") String pageToken) {
        return PageTokens.pageOfViews(pageSize, pageToken,
                after -> ClusterEntity.<ClusterEntity>find("clusterId > ?1 order by clusterId", after),
                c -> c.clusterId, views::clusters);
    }

    @GET
    @Path("{clusterId}")
    public Dtos.ClusterView get(@PathParam("clusterId") String clusterId) {
        return views.cluster(find(clusterId));
    }

    @GET
    @Path("{clusterId}/namespaces")
    public Dtos.Page<Dtos.NamespaceView> namespaces(@PathParam("clusterId") String clusterId,
                                                    @QueryParam("pageSize") String pageSize,
                                                    @QueryParam("pageToken") String pageToken) {
        find(clusterId);
        return PageTokens.page(pageSize, pageToken,
                after -> NamespaceEntity.<NamespaceEntity>find("clusterId = ?1 and namespace > ?2 order by namespace", clusterId, after),
                n -> n.namespace, n -> {
                    InstanceEntity i = InstanceEntity.findById(n.instanceId);
                    return new Dtos.NamespaceView(n.namespace, n.instanceId, n.tenantId, n.clusterId,
                            i == null ? null : i.status.name(), n.createdAt);
                });
    }

    /**
     * What the cluster's brokers actually hold under a namespace, read live through the admin API:
     * lets an operator check the provisioner's work without RocketMQ's own tools.
     */
    @GET
    @Path("{clusterId}/namespaces/{namespace}/broker-resources")
    public Dtos.BrokerResourcesView brokerResources(@PathParam("clusterId") String clusterId,
                                                    @PathParam("namespace") String namespace) {
        ClusterEntity c = find(clusterId);
        NamespaceEntity ns = NamespaceEntity.findById(namespace);
        if (ns == null || !ns.clusterId.equals(clusterId)) {
            throw ApiException.notFound("namespace", namespace);
        }
        ClusterTarget target = new ClusterTarget(c.clusterId, c.nameServerAddress, c.adminAccessKey,
                cipher.decrypt(c.adminSecretEnc));
        try {
            List<Dtos.BrokerTopicView> topics = new java.util.ArrayList<>();
            for (String name : new java.util.TreeSet<>(admin.topicNames(target))) {
                if (Namespaces.belongsTo(name, namespace)) {
                    admin.describeTopic(target, name).ifPresent(t ->
                            topics.add(new Dtos.BrokerTopicView(t.name(), t.messageType(), t.writeQueues())));
                }
            }
            List<Dtos.BrokerGroupView> groups = new java.util.ArrayList<>();
            for (String name : new java.util.TreeSet<>(admin.groupNames(target))) {
                if (Namespaces.belongsTo(name, namespace)) {
                    admin.describeGroup(target, name).ifPresent(g ->
                            groups.add(new Dtos.BrokerGroupView(g.name(), g.retryMaxTimes(), g.orderly())));
                }
            }
            return new Dtos.BrokerResourcesView(clusterId, namespace, topics, groups);
        } catch (ClusterUnavailableException e) {
            throw new ApiException(ErrorCode.UNAVAILABLE, e.getMessage());
        }
    }

    @POST
    @Transactional
    @Audited(kind = "cluster", verb = Audited.CREATE)
    public Response create(Dtos.ClusterCreate body) {
        Validation.body(body);
        Validation.clusterId(body.clusterId());
        ClusterEntity c = new ClusterEntity();
        c.clusterId = body.clusterId();
        c.regionId = Validation.regionId(body.regionId(), "regionId");
        c.nameServerAddress = Validation.hostPort(body.nameServerAddress(), "nameServerAddress");
        c.proxyEndpoint = Validation.hostPort(body.proxyEndpoint(), "proxyEndpoint");
        c.adminAccessKey = Validation.required(body.adminAccessKey(), "adminAccessKey");
        c.adminSecretEnc = cipher.encrypt(Validation.required(body.adminSecretKey(), "adminSecretKey"));
        c.capacityTps = Validation.range(body.capacityTps(), "capacityTps", 1, 10_000_000);
        c.capacityTopics = Validation.range(body.capacityTopics(), "capacityTopics", 1, 1_000_000);
        c.state = body.state() == null ? ClusterEntity.State.ACTIVE
                : Validation.oneOf(ClusterEntity.State.class, body.state(), "state");
        if (ClusterEntity.findById(c.clusterId) != null) {
            throw new ApiException(ErrorCode.ALREADY_EXISTS, "cluster '" + c.clusterId + "' already exists", "clusterId");
        }
        c.createdAt = Instant.now();
        c.updatedAt = c.createdAt;
        c.persist();
        provisioning.fire(new ProvisioningRequested(null));
        return Response.status(Response.Status.CREATED).entity(views.cluster(c))
                .location(URI.create("/api/v1/admin/clusters/" + c.clusterId)).build();
    }

    @PATCH
    @Path("{clusterId}")
    @Transactional
    @Audited(kind = "cluster", verb = Audited.UPDATE)
    public Dtos.ClusterView update(@PathParam("clusterId") String clusterId, Dtos.ClusterUpdate body) {
        Validation.body(body);
        ClusterEntity c = find(clusterId);
        if (body.regionId() != null && !body.regionId().equals(c.regionId)) {
            if (NamespaceEntity.count("clusterId", clusterId) > 0) {
                throw new ApiException(ErrorCode.IMMUTABLE_FIELD,
                        "cluster '" + clusterId + "' holds instances: its region cannot change", "regionId");
            }
            c.regionId = Validation.regionId(body.regionId(), "regionId");
        }
        if (body.nameServerAddress() != null) {
            c.nameServerAddress = Validation.hostPort(body.nameServerAddress(), "nameServerAddress");
        }
        if (body.proxyEndpoint() != null) {
            c.proxyEndpoint = Validation.hostPort(body.proxyEndpoint(), "proxyEndpoint");
        }
        if (body.adminAccessKey() != null) {
            c.adminAccessKey = Validation.required(body.adminAccessKey(), "adminAccessKey");
        }
        if (body.adminSecretKey() != null) {
            c.adminSecretEnc = cipher.encrypt(Validation.required(body.adminSecretKey(), "adminSecretKey"));
        }
        if (body.capacityTps() != null) {
            c.capacityTps = Validation.range(body.capacityTps(), "capacityTps", 1, 10_000_000);
        }
        if (body.capacityTopics() != null) {
            c.capacityTopics = Validation.range(body.capacityTopics(), "capacityTopics", 1, 1_000_000);
        }
        if (body.state() != null) {
            c.state = Validation.oneOf(ClusterEntity.State.class, body.state(), "state");
        }
        c.updatedAt = Instant.now();
        provisioning.fire(new ProvisioningRequested(null));
        return views.cluster(c);
    }

    @DELETE
    @Path("{clusterId}")
    @Transactional
    @Audited(kind = "cluster", verb = Audited.DELETE)
    public Response delete(@PathParam("clusterId") String clusterId) {
        ClusterEntity c = find(clusterId);
        long held = NamespaceEntity.count("clusterId", clusterId);
        if (held > 0) {
            throw new ApiException(ErrorCode.INVALID_STATE,
                    "cluster '" + clusterId + "' still holds " + held + " instance namespace(s)");
        }
        c.delete();
        return Response.noContent().build();
    }

    @Override
    public AuditSubject auditView(String kind, Map<String, String> path) {
        ClusterEntity c = ClusterEntity.findById(path.get("clusterId"));
        return c == null ? null : views.cluster(c);
    }

    private static ClusterEntity find(String clusterId) {
        return ApiException.requireFound(ClusterEntity.findById(clusterId), "cluster", clusterId);
    }
}
