package io.gantry.controlplane.api;

import io.gantry.controlplane.model.InstanceEntity;
import jakarta.enterprise.context.RequestScoped;

/** The instance an {@link InstanceScoped} method acts in, resolved for the caller's tenant. */
@RequestScoped
public class ScopedInstance {
    private InstanceEntity instance;

    void set(InstanceEntity instance) {
        this.instance = instance;
    }

    /** The resolved instance; only inside an {@link InstanceScoped} method. */
    public InstanceEntity get() {
        if (instance == null) {
            throw new IllegalStateException("not inside an @InstanceScoped resource method");
        }
        return instance;
    }

    /** The resolved instance, or null outside an {@link InstanceScoped} method (instance creation, admin paths). */
    public InstanceEntity orNull() {
        return instance;
    }
}
