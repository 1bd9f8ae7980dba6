package io.gantry.controlplane.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.gantry.api.ErrorCode;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure into the catalog's JSON body. Nothing a client sends may surface as a bare
 * 500: unexpected failures are logged with a reference the client can quote.
 */
public class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    public static Response respond(ErrorCode code, String message, String field) {
        Response.ResponseBuilder builder = Response.status(code.httpStatus())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorBody(new ErrorBody.Detail(code.name(), message, field)));
        if (code == ErrorCode.UNAUTHENTICATED) {
            builder.header("WWW-Authenticate", "Bearer");
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response apiException(ApiException e) {
        return respond(e.code(), e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response unauthenticated(AuthenticationFailedException e) {
        return respond(ErrorCode.UNAUTHENTICATED, "a valid bearer token is required", null);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return respond(ErrorCode.UNAUTHENTICATED, "a valid bearer token is required", null);
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return respond(ErrorCode.FORBIDDEN, "the caller's role does not allow this operation", null);
    }

    @ServerExceptionMapper
    public Response oidcUnavailable(io.quarkus.oidc.OIDCException e) {
        LOG.warnf("OIDC provider unavailable: %s", e.getMessage());
        return respond(ErrorCode.UNAVAILABLE, "the identity provider cannot be reached to verify the token; retry later", null);
    }

    @ServerExceptionMapper
    public Response concurrentConflict(org.hibernate.exception.ConstraintViolationException e) {
        // Two writers raced for the same name; the loser is told so instead of getting a 500.
        return respond(ErrorCode.ALREADY_EXISTS, "a concurrent request created or changed the same resource; read it and retry", null);
    }

    @ServerExceptionMapper
    public Response databaseUnavailable(org.hibernate.exception.JDBCConnectionException e) {
        LOG.warnf("database unavailable: %s", e.getMessage());
        return respond(ErrorCode.UNAVAILABLE, "the service's database is unavailable; retry later", null);
    }

    @ServerExceptionMapper
    public Response unrecognizedField(UnrecognizedPropertyException e) {
        String field = path(e);
        return respond(ErrorCode.INVALID_FIELD, "unknown field '" + field + "'", field);
    }

    @ServerExceptionMapper
    public Response badValue(InvalidFormatException e) {
        String field = path(e);
        return respond(ErrorCode.INVALID_FIELD, "'" + field + "' has a value of the wrong type or outside the allowed set", field);
    }

    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        String field = path(e);
        if (field.isEmpty()) {
            return respond(ErrorCode.MALFORMED_REQUEST, "the body does not have the expected JSON shape", null);
        }
        return respond(ErrorCode.INVALID_FIELD, "'" + field + "' has a value of the wrong type", field);
    }

    @ServerExceptionMapper
    public Response malformed(JsonProcessingException e) {
        return respond(ErrorCode.MALFORMED_REQUEST, "the body is not valid JSON", null);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return respond(ErrorCode.NOT_FOUND, "no such path", null);
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return respond(ErrorCode.METHOD_NOT_ALLOWED, "this path does not support the method", null);
    }

    @ServerExceptionMapper
    public Response unsupportedMedia(NotSupportedException e) {
        return respond(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "bodies must be application/json", null);
    }

    @ServerExceptionMapper
    public Response notAcceptable(NotAcceptableException e) {
        return respond(ErrorCode.NOT_ACCEPTABLE, "responses are application/json", null);
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400) {
            Throwable cause = e.getCause();
            if (cause instanceof JsonProcessingException jpe) {
                return cause instanceof JsonMappingException jme && !path(jme).isEmpty()
                        ? respond(ErrorCode.INVALID_FIELD, "'" + path(jme) + "' has an invalid value", path(jme))
                        : malformed(jpe);
            }
            return respond(ErrorCode.MALFORMED_REQUEST, "the request could not be read", null);
        }
        if (status == 401) {
            return unauthorized(null);
        }
        if (status == 403) {
            return forbidden(null);
        }
        if (status < 500) {
            for (ErrorCode code : ErrorCode.values()) {
                if (code.httpStatus() == status) {
                    return respond(code, "the request was refused", null);
                }
            }
            return respond(ErrorCode.MALFORMED_REQUEST, "the request was refused", null);
        }
        return unexpected(e);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        // PostgreSQL refuses some values a client can send (a NUL in a string, a number out of its
        // column's range): SQLState class 22. They are the client's input, not our failure.
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
                return respond(ErrorCode.MALFORMED_REQUEST,
                        "a value in the request cannot be stored (a NUL character, or a value out of range)", null);
            }
        }
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected failure, reference %s", reference);
        return respond(ErrorCode.INTERNAL_ERROR, "unexpected failure; quote reference " + reference + " to the operator", null);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."))
                .replace(".[", "[");
    }
}
