package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.InstanceEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.isolation.quota.Editions;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the physical cluster for an instance: an ACTIVE cluster of its region with room for the
 * TPS it bought and the topics its edition allows, the least loaded first. Callers hold the
 * placement lock, so two provisioners cannot both take the last room on a cluster.
 */
@ApplicationScoped
public class Placement {

    public record Load(int tps, int topics) {
    }

    public Optional<ClusterEntity> choose(InstanceEntity instance) {
        int topics = Editions.byCode(instance.edition).orElseThrow().maxTopics();
        return ClusterEntity.<ClusterEntity>list("regionId = ?1 and state = ?2", instance.regionId,
                        ClusterEntity.State.ACTIVE).stream()
                .filter(c -> {
                    Load load = load(c.clusterId);
                    return load.tps() + instance.tpsSpec <= c.capacityTps && load.topics() + topics <= c.capacityTopics;
                })
                .min(Comparator.comparingDouble(c -> (double) load(c.clusterId).tps() / c.capacityTps));
    }

    /** What a cluster has promised: the TPS and topic allowances of the instances placed on it. */
    public Load load(String clusterId) {
        List<String> ids = NamespaceEntity.<NamespaceEntity>list("clusterId", clusterId).stream().map(n -> n.instanceId).toList();
        if (ids.isEmpty()) {
            return new Load(0, 0);
        }
        int tps = 0;
        int topics = 0;
        for (InstanceEntity i : InstanceEntity.<InstanceEntity>list("instanceId in ?1", ids)) {
            tps += i.tpsSpec;
            topics += Editions.byCode(i.edition).map(e -> e.maxTopics()).orElse(0);
        }
        return new Load(tps, topics);
    }
}
