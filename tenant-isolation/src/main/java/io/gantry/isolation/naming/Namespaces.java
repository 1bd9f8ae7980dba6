package io.gantry.isolation.naming;

/**
 * RocketMQ's namespaced form of a resource name: the one place Gantry builds it.
 *
 * <p>The forms match RocketMQ's {@code NamespaceUtil}: {@code ns%name} for topics and groups,
 * {@code %RETRY%ns%group} and {@code %DLQ%ns%group} for a group's retry and dead-letter topics.
 */
public final class Namespaces {
    public static final char SEPARATOR = '%';
    private static final String RETRY_PREFIX = "%RETRY%";
    private static final String DLQ_PREFIX = "%DLQ%";

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

    /** True when a broker-side name belongs to the namespace, in any of its forms. */
    public static boolean belongsTo(String brokerName, String namespace) {
        String prefix = namespace + SEPARATOR;
        return brokerName.startsWith(prefix)
                || brokerName.startsWith(RETRY_PREFIX + prefix)
                || brokerName.startsWith(DLQ_PREFIX + prefix);
    }
}
