package io.gantry.isolation.naming;

/**
 * RocketMQ's namespaced form of a resource name: the one place Gantry builds it.
 *
 * <p>The forms match RocketMQ's {@code NamespaceUtil}: {@code ns%name} for topics and groups,
 * {@code %RETRY%ns%group} and {@code %DLQ%ns%group} for a group's retry and dead-letter topics.
 */
public final class Namespaces {
    public static final char SEPARATOR = '%';
    public static final String RETRY_PREFIX = "%RETRY%";
    public static final String DLQ_PREFIX = "%DLQ%";

    private Namespaces() {
    }

    public static String wrap(String namespace, String name) {
        return namespace + SEPARATOR + name;
    }

    public static String retryTopic(String namespace, String group) {
        return RETRY_PREFIX + wrap(namespace, group);
    }

    public static String deadLetterTopic(String namespace, String group) {
        return DLQ_PREFIX + wrap(namespace, group);
    }

    /**
     * The tenant's form of a broker-side name of the namespace: {@code ns%x} → {@code x},
     * {@code %RETRY%ns%g} → {@code %RETRY%g}, {@code %DLQ%ns%g} → {@code %DLQ%g}; null when the name is
     * of another namespace, of none, or has nothing (or another {@code %}) after the prefix.
     */
    public static String unwrap(String brokerName, String namespace) {
        String kind = brokerName.startsWith(RETRY_PREFIX) ? RETRY_PREFIX
                : brokerName.startsWith(DLQ_PREFIX) ? DLQ_PREFIX : "";
        String prefix = namespace + SEPARATOR;
        if (!brokerName.startsWith(prefix, kind.length())) {
            return null;
        }
        String plain = brokerName.substring(kind.length() + prefix.length());
        if (plain.isEmpty() || plain.indexOf(SEPARATOR) >= 0) {
            return null;
        }
        return kind + plain;
    }

    /**
     * A broker-side name or text with every mention of the namespace taken out, for showing it to the
     * tenant: {@code %RETRY%ns%g_ns%orders} → {@code %RETRY%g_orders}.
     */
    public static String withoutNamespace(String text, String namespace) {
        String prefix = namespace + SEPARATOR;
        return text.indexOf(prefix) >= 0 ? text.replace(prefix, "") : text;
    }

    /** A name without its {@code %RETRY%} or {@code %DLQ%} prefix, if it has one. */
    public static String withoutGroupTopicPrefix(String name) {
        return name.startsWith(RETRY_PREFIX) ? name.substring(RETRY_PREFIX.length())
                : name.startsWith(DLQ_PREFIX) ? name.substring(DLQ_PREFIX.length()) : name;
    }

    /** True when a broker-side name belongs to the namespace, in any of its forms. */
    public static boolean belongsTo(String brokerName, String namespace) {
        String prefix = namespace + SEPARATOR;
        return brokerName.startsWith(prefix)
                || brokerName.startsWith(RETRY_PREFIX + prefix)
                || brokerName.startsWith(DLQ_PREFIX + prefix);
    }
}
