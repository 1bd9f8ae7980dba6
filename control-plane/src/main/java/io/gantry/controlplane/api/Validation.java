package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.isolation.acl.Cidr;
import io.gantry.isolation.naming.NameViolation;
import io.gantry.isolation.naming.ResourceNames;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Checks of request fields that answer with the catalog's codes and name the field. */
public final class Validation {
    private static final Pattern DISPLAY_NAME = Pattern.compile("^[\\p{L}\\p{N} _.\\-]{1,64}$");
    private static final Pattern USERNAME = Pattern.compile("^[a-zA-Z0-9_-]{1,64}$");
    private static final Pattern TAG_KEY = Pattern.compile("^[a-zA-Z0-9_.:/=+\\-@]{1,64}$");
    private static final Pattern CLUSTER_ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final Pattern REGION_ID = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final Pattern HOST_PORT = Pattern.compile("^[A-Za-z0-9.\\-\\[\\]:]+:[0-9]{1,5}$");

    private Validation() {
    }

    public static <T> T required(T value, String field) {
        if (value == null || (value instanceof String s && s.isBlank())) {
            throw ApiException.invalid(field, "is required");
        }
        return value;
    }

    public static void body(Object body) {
        if (body == null) {
            throw new ApiException(ErrorCode.MALFORMED_REQUEST, "a JSON body is required");
        }
    }

    public static String displayName(String value, String field) {
        required(value, field);
        if (!DISPLAY_NAME.matcher(value).matches()) {
            throw ApiException.invalid(field, "must be 1 to 64 letters, digits, spaces, '_', '.' or '-'");
        }
        return value;
    }

    public static String remark(String value, String field) {
        if (value != null && value.length() > 256) {
            throw ApiException.invalid(field, "must be at most 256 characters");
        }
        return freeText(value, field);
    }

    /** Free text may hold tabs and line breaks, not other control characters (PostgreSQL refuses NUL). */
    public static String freeText(String value, String field) {
        if (value != null && value.chars().anyMatch(c -> c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f)) {
            throw ApiException.invalid(field, "must not hold control characters");
        }
        return value;
    }

    public static Map<String, String> tags(Map<String, String> tags) {
        if (tags == null) {
            return Map.of();
        }
        if (tags.size() > 20) {
            throw ApiException.invalid("tags", "may hold at most 20 tags");
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!TAG_KEY.matcher(e.getKey()).matches()) {
                throw ApiException.invalid("tags", "key '" + e.getKey() + "' must be 1 to 64 of [a-zA-Z0-9_.:/=+-@]");
            }
            if (e.getValue() == null || e.getValue().length() > 128) {
                throw ApiException.invalid("tags." + e.getKey(), "must be a string of at most 128 characters");
            }
            freeText(e.getValue(), "tags." + e.getKey());
        }
        return tags;
    }

    /** A topic or group name: RocketMQ's rules, in the instance's namespace. */
    public static void resourceName(String name, String namespace, String kind) {
        ResourceNames.check(name, namespace).ifPresent(v -> {
            throw new ApiException(v.kind() == NameViolation.Kind.RESERVED ? ErrorCode.RESERVED_NAME : ErrorCode.INVALID_NAME,
                    kind + " name '" + name + "' " + v.message(), "name");
        });
    }

    public static void username(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new ApiException(ErrorCode.INVALID_NAME,
                    "account name '" + username + "' must be 1 to 64 letters, digits, '_' or '-'", "username");
        }
    }

    public static void clusterId(String id) {
        if (id == null || !CLUSTER_ID.matcher(id).matches()) {
            throw new ApiException(ErrorCode.INVALID_NAME,
                    "cluster id '" + id + "' must be 1 to 63 lowercase letters, digits or '-'", "clusterId");
        }
    }

    public static String regionId(String id, String field) {
        required(id, field);
        if (!REGION_ID.matcher(id).matches()) {
            throw ApiException.invalid(field, "must be 1 to 63 lowercase letters, digits or '-'");
        }
        return id;
    }

    public static String hostPort(String value, String field) {
        required(value, field);
        for (String part : value.split(";")) {
            if (!HOST_PORT.matcher(part).matches()) {
                throw ApiException.invalid(field, "must be host:port (several separated by ';')");
            }
        }
        return value;
    }

    public static int range(Integer value, String field, int min, int max) {
        required(value, field);
        if (value < min || value > max) {
            throw ApiException.invalid(field, "must be between " + min + " and " + max);
        }
        return value;
    }

    /**
     * IPv4/IPv6 CIDRs or plain addresses, each checked by tenant-isolation's {@code Cidr} (the parser
     * the gateway uses), answered in canonical form without duplicates; a bad entry names its index.
     */
    public static List<String> cidrs(List<String> values, String field) {
        if (values == null) {
            return List.of();
        }
        LinkedHashSet<String> canonical = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            try {
                canonical.add(Cidr.parse(values.get(i)).toString());
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(field + "[" + i + "]", "must be an IPv4 or IPv6 CIDR or address: "
                        + e.getMessage());
            }
        }
        return List.copyOf(canonical);
    }

    public static <E extends Enum<E>> E oneOf(Class<E> type, String value, String field) {
        required(value, field);
        try {
            return Enum.valueOf(type, value.toUpperCase(Locale.ROOT).equals(value) ? value : "?");
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, "must be one of " + Arrays.stream(type.getEnumConstants())
                    .map(Enum::name).collect(Collectors.joining(", ")));
        }
    }
}
