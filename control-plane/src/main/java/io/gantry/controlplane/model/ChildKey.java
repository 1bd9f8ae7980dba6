package io.gantry.controlplane.model;

import java.io.Serializable;
import java.util.Objects;

/** Primary key of resources that live inside an instance (topics, groups, accounts). */
public class ChildKey implements Serializable {
    public String instanceId;
    public String name;

    public ChildKey() {
    }

    public ChildKey(String instanceId, String name) {
        this.instanceId = instanceId;
        this.name = name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChildKey k && Objects.equals(instanceId, k.instanceId) && Objects.equals(name, k.name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(instanceId, name);
    }
}
