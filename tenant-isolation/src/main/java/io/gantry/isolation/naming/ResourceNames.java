package io.gantry.isolation.naming;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules for names a tenant gives to topics and consumer groups.
 *
 * <p>A tenant's name becomes {@code namespace%name} on the broker (RocketMQ's own namespaced
 * form), so the name itself may not contain {@code %}, and its length is what RocketMQ allows
 * (127) minus the namespace and its separator. Reserved prefixes and RocketMQ's system names are
 * refused even though namespacing would keep them apart: a name like {@code %DLQ%x} or
 * {@code rmq_sys_x} in a tenant's hands is a probe, never a legitimate topic.
 */
public final class ResourceNames {
    /** RocketMQ's limit on a namespaced topic or group name. */
    public static final int ROCKETMQ_MAX_NAME_LENGTH = 127;

    private static final Pattern ALLOWED = Pattern.compile("^[a-zA-Z0-9_-]+$");
    private static final Set<String> RESERVED_PREFIXES = Set.of(
            "%retry%", "%dlq%", "%sys%", "rmq_sys_", "cid_rmq_sys_", "cid_onsapi_", "rocketmq_sys_");
    private static final Set<String> SYSTEM_NAMES = Set.of(
            "tbw102", "schedule_topic_xxxx", "benchmarktest", "offset_moved_event", "self_test_topic",
            "trans_check_max_time_topic", "rmq_sys_trans_half_topic", "rmq_sys_trans_op_half_topic",
            "rmq_sys_trace_topic", "defaultcluster", "default_consumer", "default_producer",
            "tools_consumer", "filtersrv_consumer", "__monitor_consumer", "client_inner_producer",
            "self_test_p_group", "self_test_c_group", "cid_onsapi_permission", "cid_onsapi_owner",
            "cid_onsapi_pull", "cid_rmq_sys_trans");

    private ResourceNames() {
    }

    /** The longest name a tenant may use inside the given namespace. */
    public static int maxLength(String namespace) {
        return ROCKETMQ_MAX_NAME_LENGTH - namespace.length() - 1;
    }

    /** Checks a topic or group name a tenant asked for; empty when it is acceptable. */
    public static Optional<NameViolation> check(String name, String namespace) {
        if (name == null || name.isEmpty()) {
            return Optional.of(new NameViolation(NameViolation.Kind.INVALID, "must not be empty"));
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (name.contains("%")) {
            return Optional.of(new NameViolation(NameViolation.Kind.RESERVED,
                    "must not contain '%' (reserved for RocketMQ namespaces, retry and dead-letter topics)"));
        }
        for (String prefix : RESERVED_PREFIXES) {
            if (lower.startsWith(prefix)) {
                return Optional.of(new NameViolation(NameViolation.Kind.RESERVED,
                        "must not start with the reserved prefix '" + prefix + "'"));
            }
        }
        if (SYSTEM_NAMES.contains(lower)) {
            return Optional.of(new NameViolation(NameViolation.Kind.RESERVED,
                    "'" + name + "' is a RocketMQ system name"));
        }
        if (!ALLOWED.matcher(name).matches()) {
            return Optional.of(new NameViolation(NameViolation.Kind.INVALID,
                    "may contain only letters, digits, '_' and '-'"));
        }
        int max = maxLength(namespace);
        if (name.length() > max) {
            return Optional.of(new NameViolation(NameViolation.Kind.INVALID,
                    "must be at most " + max + " characters (RocketMQ allows " + ROCKETMQ_MAX_NAME_LENGTH
                            + " including the instance namespace)"));
        }
        return Optional.empty();
    }
}
