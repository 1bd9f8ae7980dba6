package io.gantry.controlplane.api;

import io.gantry.controlplane.model.ChildKey;
import io.gantry.controlplane.model.ConsumerGroupEntity;
import io.gantry.controlplane.security.Roles;
import io.gantry.controlplane.trace.TraceStore;
import io.gantry.trace.query.DeadLetter;
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
import java.util.List;
import java.util.Optional;

/** The messages a consumer group gave up on, from the trace store (newest first). */
@Path("/api/v1/instances/{instanceId}/consumer-groups/{group}/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
public class DeadLettersResource {
    @Inject
    TraceStore store;

    @GET
    @RolesAllowed({Roles.TENANT_ADMIN, Roles.TENANT_VIEWER, Roles.PLATFORM_OPERATOR})
    @InstanceScoped(InstanceScoped.Access.READ_OR_OPERATOR)
    public Dtos.Page<MessageDtos.DeadLetter> list(@PathParam("instanceId") String instanceId,
                                                  @PathParam("group") String group,
                                                  @QueryParam("pageSize") String pageSize,
                                                  @QueryParam("pageToken") String pageToken) {
        if (ConsumerGroupEntity.findById(new ChildKey(instanceId, group)) == null) {
            throw ApiException.notFound("consumer group", group);
        }
        PageRequest page = new PageRequest(PageTokens.pageSize(pageSize), pageToken);
        Page<DeadLetter> found = store.read(q -> q.deadLetters(instanceId, group, page), new Page<>(List.of(), null));
        return new Dtos.Page<>(found.items().stream().map(d -> MessageViews.deadLetter(d, topicOf(instanceId, d))).toList(),
                found.nextPageToken());
    }

    /**
     * A dead letter found in {@code %DLQ%} carries no topic of its own: the message's record (its SEND)
     * has it.
     */
    private String topicOf(String instanceId, DeadLetter d) {
        if (d.topic() != null) {
            return d.topic();
        }
        return store.read(q -> q.message(instanceId, d.messageId()), Optional.<MessageRecord>empty())
                .map(MessageRecord::topic).orElse(null);
    }
}
