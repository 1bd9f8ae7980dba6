package io.gantry.api;

/**
 * The catalog of error codes the management API answers with.
 *
 * <p>Codes are part of the contract: clients switch on them, so a code is never renamed or
 * reused for another meaning. {@code openapi.yaml} lists the same codes in its {@code ErrorCode}
 * schema; {@code ErrorCatalogTest} keeps the two equal.
 */
public enum ErrorCode {
    MALFORMED_REQUEST(400, "The body is not valid JSON or does not have the shape the operation expects."),
    INVALID_FIELD(400, "A field is missing, has the wrong type, or a value outside what is allowed; `field` names it."),
    INVALID_NAME(400, "A resource name breaks RocketMQ's naming rules (characters, length)."),
    RESERVED_NAME(400, "A resource name uses a reserved form: `%`, `%RETRY%`, `%DLQ%`, `rmq_sys_` and similar."),
    IMMUTABLE_FIELD(400, "An update tried to change a field that is fixed after creation."),
    INVALID_PAGE_TOKEN(400, "The page token was not issued for this list or has been tampered with."),
    UNAUTHENTICATED(401, "No bearer token, or a token that is expired, unsigned or from another issuer."),
    FORBIDDEN(403, "The caller is authenticated but its role does not allow this operation."),
    NOT_FOUND(404, "The resource does not exist, or belongs to another tenant."),
    METHOD_NOT_ALLOWED(405, "The path does not support this HTTP method."),
    NOT_ACCEPTABLE(406, "The API only produces application/json."),
    ALREADY_EXISTS(409, "A resource with this name already exists."),
    INVALID_STATE(409, "The resource is in a state that does not allow this operation (for example, it is being deleted)."),
    QUOTA_EXCEEDED(409, "The edition's limit for this kind of resource is reached; the message names the quota, its limit and current use."),
    UNSUPPORTED_MEDIA_TYPE(415, "The API only accepts application/json bodies."),
    TOO_MANY_REQUESTS(429, "The caller's tenant sent more requests than its API rate allows; retry after the `Retry-After` header's seconds."),
    INTERNAL_ERROR(500, "An unexpected failure; the message carries a reference to quote to the operator."),
    UNAVAILABLE(503, "A dependency (database, RocketMQ cluster) is unavailable; retry later.");

    private final int httpStatus;
    private final String description;

    ErrorCode(int httpStatus, String description) {
        this.httpStatus = httpStatus;
        this.description = description;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String description() {
        return description;
    }
}
