package io.gantry.dataplane.mapping;

import apache.rocketmq.v2.Endpoints;
import java.util.Objects;

/**
 * What the mapper needs for one call: the caller's instance names, the endpoint the client reached the
 * gateway at (written into every {@code Endpoints} of a response) and the endpoint of the upstream
 * proxy (written into every {@code Endpoints} of a request), and the client-id prefix to strip from
 * error texts.
 */
public record MappingScope(TenantNames names, Endpoints advertised, Endpoints upstream, String clientIdPrefix) {
    public MappingScope {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(advertised, "advertised");
        Objects.requireNonNull(upstream, "upstream");
        clientIdPrefix = clientIdPrefix == null ? "" : clientIdPrefix;
    }
}
