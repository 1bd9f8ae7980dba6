package io.gantry.controlplane.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Map;

/** {@code gantry.api.rate-limit.*}: the API's request rate per tenant ({@link ApiRateLimitFilter}). */
@ConfigMapping(prefix = "gantry.api.rate-limit")
public interface ApiRateConfig {
    /** Requests per second per tenant; 0 turns the limit off. */
    @WithDefault("50")
    double requestsPerSecond();

    /** Seconds of the rate a tenant may send at once. */
    @WithDefault("2")
    double burstSeconds();

    /** A rate of its own for a tenant, by tenant id (a large tenant's automation, say). */
    Map<String, Double> tenants();
}
