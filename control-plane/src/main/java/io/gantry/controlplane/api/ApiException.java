package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;

/** An error the API answers with: a catalog code, a message naming the resource, and the field at fault if any. */
public class ApiException extends RuntimeException {
    private final ErrorCode code;
    private final String field;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    public ApiException(ErrorCode code, String message, String field) {
        super(message);
        this.code = code;
        this.field = field;
    }

    public ErrorCode code() {
        return code;
    }

    public String field() {
        return field;
    }

    public static ApiException notFound(String kind, String name) {
        return new ApiException(ErrorCode.NOT_FOUND, kind + " '" + name + "' not found");
    }

    /** {@code found}, or NOT_FOUND naming it when it is null (a lookup by id came back empty). */
    public static <T> T requireFound(T found, String kind, String name) {
        if (found == null) {
            throw notFound(kind, name);
        }
        return found;
    }

    public static ApiException alreadyExists(String kind, String name, String instanceId, String field) {
        return new ApiException(ErrorCode.ALREADY_EXISTS,
                kind + " '" + name + "' already exists in instance '" + instanceId + "'", field);
    }

    public static ApiException invalid(String field, String message) {
        return new ApiException(ErrorCode.INVALID_FIELD, "'" + field + "' " + message, field);
    }
}
