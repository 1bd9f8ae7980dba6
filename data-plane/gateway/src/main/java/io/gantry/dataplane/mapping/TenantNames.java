package io.gantry.dataplane.mapping;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Resource;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.isolation.naming.NameViolation;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.isolation.naming.ResourceNames;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The names of one instance: a tenant's plain name to RocketMQ's namespaced {@link Resource} and back.
 * The namespaced forms come from {@link Namespaces} ({@code ns%name}, {@code %RETRY%ns%group},
 * {@code %DLQ%ns%group}).
 *
 * <p>Immutable apart from two bounded caches of already checked names (a name costs one map lookup
 * after its first use); thread-safe. A new config snapshot builds new instances, which drops the caches.
 */
public final class TenantNames {
    private static final int CACHE_LIMIT = 4096;

    private final String namespace;
    private final String prefix;
    private final ConcurrentHashMap<String, Resource> toUpstream = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Resource> fromNameForm = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Resource> fromNamespaceForm = new ConcurrentHashMap<>();

    public TenantNames(String namespace) {
        if (namespace == null || namespace.isEmpty() || namespace.indexOf(Namespaces.SEPARATOR) >= 0) {
            throw new IllegalArgumentException("not a usable namespace: '" + namespace + "'");
        }
        this.namespace = namespace;
        this.prefix = Namespaces.wrap(namespace, "");
    }

    public String namespace() {
        return namespace;
    }

    /**
     * The upstream form of a resource a client sent. Refused (never forwarded): any
     * {@code resource_namespace}, any name with {@code %}, reserved and system names, names RocketMQ would
     * not accept. An empty name stays empty (the proxy answers for it).
     *
     * @param invalidCode the code to refuse with ({@code ILLEGAL_TOPIC} or {@code ILLEGAL_CONSUMER_GROUP})
     */
    public Resource toUpstream(Resource resource, Code invalidCode, String what) {
        if (!resource.getResourceNamespace().isEmpty()) {
            throw new Refusal(invalidCode, what + " '" + resource.getName() + "': resource_namespace '"
                    + resource.getResourceNamespace() + "' is not accepted; the instance's namespace comes from "
                    + "the credential (leave the SDK's namespace unset)");
        }
        String name = resource.getName();
        if (name.isEmpty()) {
            return resource;
        }
        Resource cached = toUpstream.get(name);
        if (cached != null) {
            return cached;
        }
        Optional<NameViolation> violation = ResourceNames.check(name, namespace);
        if (violation.isPresent()) {
            throw new Refusal(invalidCode, what + " '" + name + "' " + violation.get().message());
        }
        Resource wrapped = Resource.newBuilder().setName(Namespaces.wrap(namespace, name)).build();
        remember(toUpstream, name, wrapped);
        return wrapped;
    }

    /**
     * The client form of a resource the proxy answered with, in either of its forms
     * ({@code name: "ns%topic"}, or {@code resource_namespace: "ns", name: "topic"}); null when it
     * belongs to another namespace or to none (it must never reach the client).
     */
    public Resource toClient(Resource resource) {
        String ns = resource.getResourceNamespace();
        String name = resource.getName();
        if (!ns.isEmpty()) {
            if (!ns.equals(namespace) || name.isEmpty()) {
                return null;
            }
            Resource cached = fromNamespaceForm.get(name);
            if (cached == null) {
                String plain = Namespaces.withoutGroupTopicPrefix(name);
                if (plain.isEmpty() || plain.indexOf(Namespaces.SEPARATOR) >= 0) {
                    return null;
                }
                cached = Resource.newBuilder().setName(name).build();
                remember(fromNamespaceForm, name, cached);
            }
            return cached;
        }
        if (name.isEmpty()) {
            return resource;
        }
        Resource cached = fromNameForm.get(name);
        if (cached == null) {
            String plain = toClientName(name);
            if (plain == null) {
                return null;
            }
            cached = Resource.newBuilder().setName(plain).build();
            remember(fromNameForm, name, cached);
        }
        return cached;
    }

    /** {@code ns%x} to {@code x}, {@code %RETRY%ns%g} to {@code %RETRY%g}, {@code %DLQ%ns%g} to {@code %DLQ%g}; null if foreign. */
    public String toClientName(String upstreamName) {
        return upstreamName.isEmpty() ? upstreamName : Namespaces.unwrap(upstreamName, namespace);
    }

    /** Removes this namespace's prefix from a proxy's error text, so a tenant reads its own names. */
    public String stripFromText(String text) {
        return Namespaces.withoutNamespace(text, namespace);
    }

    private static void remember(ConcurrentHashMap<String, Resource> cache, String key, Resource value) {
        if (cache.size() < CACHE_LIMIT) {
            cache.putIfAbsent(key, value);
        }
    }
}
