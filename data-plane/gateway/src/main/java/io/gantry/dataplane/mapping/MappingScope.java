package io.gantry.dataplane.mapping;

import apache.rocketmq.v2.Endpoints;
import java.util.Objects;

/**
 * What the mapper needs for one call: the caller's instance names, the endpoint the client reached the
 * gateway at (written into every {@code Endpoints} of a response) and the endpoint of the upstream
 * proxy (written into every {@code Endpoints} of a request), and the client-id prefix to strip from
 * error texts; and the seal that binds receipt handles to the caller's instance.
 */
public record MappingScope(TenantNames names, Endpoints advertised, Endpoints upstream, String clientIdPrefix,
                           String instanceId, ReceiptHandleSeal handles) {
    public MappingScope {
        Objects.requireNonNull(names, "names");
        Objects.requireNonNull(advertised, "advertised");
        Objects.requireNonNull(upstream, "upstream");
        clientIdPrefix = clientIdPrefix == null ? "" : clientIdPrefix;
        instanceId = instanceId == null ? "" : instanceId;
        handles = handles == null ? ReceiptHandleSeal.NONE : handles;
    }

    /** A scope whose receipt handles pass unsealed (tests of name mapping alone). */
    public MappingScope(TenantNames names, Endpoints advertised, Endpoints upstream, String clientIdPrefix) {
        this(names, advertised, upstream, clientIdPrefix, null, ReceiptHandleSeal.NONE);
    }

    String seal(String handle) {
        return handles.seal(instanceId, handle);
    }

    String open(String handle) {
        return handles.open(instanceId, handle);
    }
}
