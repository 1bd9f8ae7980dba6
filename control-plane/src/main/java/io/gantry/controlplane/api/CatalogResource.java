package io.gantry.controlplane.api;

import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.security.Roles;
import io.gantry.isolation.quota.Editions;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.TreeMap;

/** What a tenant may choose from: regions with capacity and the price book's editions. */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {

    @GET
    @Path("regions")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER, Roles.PLATFORM_OPERATOR})
    public Dtos.Page<Dtos.RegionView> regions() {
        TreeMap<String, Boolean> regions = new TreeMap<>();
        for (ClusterEntity c : ClusterEntity.<ClusterEntity>listAll()) {
            regions.merge(c.regionId, c.state == ClusterEntity.State.ACTIVE, Boolean::logicalOr);
        }
        return new Dtos.Page<>(regions.entrySet().stream().map(e -> new Dtos.RegionView(e.getKey(), e.getValue())).toList(), null);
    }

    @GET
    @Path("editions")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER, Roles.PLATFORM_OPERATOR})
    public Dtos.Page<Dtos.EditionView> editions() {
        List<Dtos.EditionView> items = Editions.all().stream().map(e -> new Dtos.EditionView(e.code(), e.displayName(),
                e.description(), Editions.CURRENCY,
                e.tpsSpecs().stream().map(s -> new Dtos.TpsSpecView(s.tps(), s.hourlyPrice())).toList(),
                e.maxTopics(), e.maxConsumerGroups(), e.maxAccounts(), e.maxRetentionHours(),
                e.defaultRetentionHours(), e.maxMessageSizeKiB(), e.maxQueuesPerTopic())).toList();
        return new Dtos.Page<>(items, null);
    }
}
