package io.gantry.controlplane.api;

import io.gantry.api.ErrorCode;
import io.gantry.controlplane.security.Roles;
import io.gantry.controlplane.trace.BrokerCopies;
import io.gantry.controlplane.trace.TraceStore;
import io.gantry.trace.query.Hop;
import io.gantry.trace.query.HopType;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.MessageRecord;
import io.gantry.trace.query.Page;
import io.gantry.trace.query.PageRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Message trace of an instance: find messages by id, key, or topic and time; a message's body from the
 * broker; its lifecycle. Answers come from the trace service's store (and the broker, for bodies), only
 * ever for the instance in the path, which the caller's tenant must own.
 */
@Path("/api/v1/instances/{instanceId}/messages")
@Produces(MediaType.APPLICATION_JSON)
public class MessagesResource {
    static final Pattern MESSAGE_ID = Pattern.compile("^[0-9A-Za-z_-]{1,128}$");
    static final int MAX_KEY_LENGTH = 128;
    static final int MAX_TOPIC_LENGTH = 127;
    static final Duration DEFAULT_RANGE = Duration.ofHours(1);
    static final Duration MAX_RANGE = Duration.ofDays(7);
    static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    static final Duration LATEST_AHEAD = Duration.ofDays(1);

    @Inject
    TraceStore store;
    @Inject
    BrokerCopies brokers;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER, Roles.PLATFORM_OPERATOR})
    @InstanceScoped(InstanceScoped.Access.READ_OR_OPERATOR)
    public Dtos.Page<MessageDtos.MessageSummary> list(@PathParam("instanceId") String instanceId,
                                                      @QueryParam("key") String key,
                                                      @QueryParam("topic") String topic,
                                                      @QueryParam("from") String from,
                                                      @QueryParam("to") String to,
                                                      @QueryParam("pageSize") String pageSize,
                                                      @QueryParam("pageToken") String pageToken) {
        boolean byKey = key != null && !key.isEmpty();
        boolean byTopic = topic != null && !topic.isEmpty();
        if (byKey == byTopic) {
            throw ApiException.invalid(byKey ? "topic" : "key",
                    byKey ? "cannot be combined with 'key': search by key, or by topic and time"
                            : "is required, unless 'topic' (with 'from' and 'to') is given");
        }
        PageRequest page = new PageRequest(PageTokens.pageSize(pageSize), pageToken);
        Page<MessageRecord> found;
        if (byKey) {
            if (key.length() > MAX_KEY_LENGTH) {
                throw ApiException.invalid("key", "must be at most " + MAX_KEY_LENGTH + " characters");
            }
            if (from != null || to != null) {
                throw ApiException.invalid(from != null ? "from" : "to", "applies to searches by topic only");
            }
            found = store.read(q -> q.byKey(instanceId, key, page), new Page<>(List.of(), null));
        } else {
            if (topic.length() > MAX_TOPIC_LENGTH) {
                throw ApiException.invalid("topic", "must be at most " + MAX_TOPIC_LENGTH + " characters");
            }
            Instant end = to == null || to.isEmpty() ? Instant.now() : instant(to, "to");
            Instant start = from == null || from.isEmpty() ? end.minus(DEFAULT_RANGE) : instant(from, "from");
            if (!start.isBefore(end)) {
                throw ApiException.invalid("from", "must be before 'to' (" + end + ")");
            }
            if (Duration.between(start, end).compareTo(MAX_RANGE) > 0) {
                throw ApiException.invalid("from", "the range from 'from' to 'to' may span at most "
                        + MAX_RANGE.toDays() + " days");
            }
            found = store.read(q -> q.byTopic(instanceId, topic, start, end, page), new Page<>(List.of(), null));
        }
        return new Dtos.Page<>(found.items().stream().map(MessageViews::summary).toList(), found.nextPageToken());
    }

    @GET
    @Path("{messageId}")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER, Roles.PLATFORM_OPERATOR})
    @InstanceScoped(InstanceScoped.Access.READ_OR_OPERATOR)
    public MessageDtos.Message get(@PathParam("instanceId") String instanceId,
                                   @PathParam("messageId") String messageId) {
        validMessageId(messageId);
        Lifecycle lifecycle = store.read(q -> q.lifecycle(instanceId, messageId), Optional.<Lifecycle>empty())
                .orElseThrow(() -> notFound(messageId, instanceId));
        MessageRecord m = lifecycle.message();
        Long storeLatency = lifecycle.hops().stream().filter(h -> h.type() == HopType.STORE && h.latency() != null)
                .reduce((a, b) -> b).map(Hop::latency).map(d -> d.toNanos() / 1_000).orElse(null);
        return MessageViews.message(m, storeLatency, brokers.read(instanceId, m));
    }

    @GET
    @Path("{messageId}/lifecycle")
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER, Roles.PLATFORM_OPERATOR})
    @InstanceScoped(InstanceScoped.Access.READ_OR_OPERATOR)
    public MessageDtos.MessageLifecycle lifecycle(@PathParam("instanceId") String instanceId,
                                                  @PathParam("messageId") String messageId) {
        validMessageId(messageId);
        return store.read(q -> q.lifecycle(instanceId, messageId), Optional.<Lifecycle>empty())
                .map(MessageViews::lifecycle)
                .orElseThrow(() -> notFound(messageId, instanceId));
    }

    private static void validMessageId(String messageId) {
        if (!MESSAGE_ID.matcher(messageId).matches()) {
            throw ApiException.invalid("messageId", "is not a RocketMQ message id (letters, digits, '_' and '-', at most 128)");
        }
    }

    private static ApiException notFound(String messageId, String instanceId) {
        return new ApiException(ErrorCode.NOT_FOUND, "message '" + messageId + "' not found in instance '" + instanceId
                + "' (the trace index lags sending by about a second)");
    }

    /** RFC 3339 with an offset ({@code 2026-11-21T10:00:00Z}, {@code …+01:00}). */
    static Instant instant(String value, String field) {
        Instant parsed;
        try {
            // an unescaped '+' of an offset arrives as a space
            parsed = OffsetDateTime.parse(value.replace(' ', '+')).toInstant();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(field, "must be an RFC 3339 date-time with an offset, e.g. 2026-11-21T10:00:00Z");
        }
        // Traces are kept for days, not years: a date far outside that is a mistake (and beyond what
        // the store's timestamps hold), so it is named as such instead of failing the query.
        if (parsed.isBefore(EARLIEST) || parsed.isAfter(Instant.now().plus(LATEST_AHEAD))) {
            throw ApiException.invalid(field, "must be between " + EARLIEST + " and one day from now");
        }
        return parsed;
    }
}
