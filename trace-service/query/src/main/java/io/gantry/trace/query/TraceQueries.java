package io.gantry.trace.query;

import io.gantry.trace.query.internal.StoreQueries;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Read access to the trace store: the hot window in PostgreSQL (schema {@code trace}) and, past it,
 * the S3 archive. Every method is scoped to one instance: it never returns another instance's
 * records, so a caller that has checked the tenant owns {@code instanceId} may pass results on.
 *
 * <p>Lists are newest first and keyset-paged with opaque tokens ({@link PageRequest}); a record that
 * moves from the hot window to the archive between two pages is neither skipped nor repeated.
 * Messages sent twice with the same id (a producer's retry) appear once per send.
 *
 * <p>Thread-safe. Methods block on PostgreSQL and S3. Failures to reach either throw
 * {@link TraceStoreUnavailableException}; a trace schema that is missing or older than these queries
 * read throws its subclass {@link TraceSchemaNotReadyException} before any trace table is touched; a
 * foreign or altered token throws {@link InvalidPageTokenException}.
 */
public interface TraceQueries extends AutoCloseable {

    /**
     * Queries over the trace schema reachable through {@code dataSource} (the trace service creates and
     * migrates it; until then queries throw {@link TraceSchemaNotReadyException}) and the archive at
     * {@code archive} (null: the hot window only).
     */
    static TraceQueries create(DataSource dataSource, ArchiveLocation archive) {
        return new StoreQueries(dataSource, archive);
    }

    /** The message with this id (the latest send, if it was sent more than once). */
    Optional<MessageRecord> message(String instanceId, String messageId);

    /** Messages sent with this key (one of their keys), newest first. */
    Page<MessageRecord> byKey(String instanceId, String key, PageRequest page);

    /**
     * Messages sent to a topic with {@code from <= sentAt < to}, newest first; either bound may be
     * null (open).
     */
    Page<MessageRecord> byTopic(String instanceId, String topic, Instant from, Instant to, PageRequest page);

    /** Every hop of the message in time order, and where each consumer group stands with it. */
    Optional<Lifecycle> lifecycle(String instanceId, String messageId);

    /** Messages the group dead-lettered, newest first (one entry per message). */
    Page<DeadLetter> deadLetters(String instanceId, String group, PageRequest page);

    /** Releases the archive client (the DataSource stays the caller's). */
    @Override
    void close();
}
