package io.gantry.controlplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.gantry.api.ErrorCode;
import io.gantry.controlplane.api.ApiException;
import io.gantry.trace.query.DeadLetter;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.MessageRecord;
import io.gantry.trace.query.Page;
import io.gantry.trace.query.PageRequest;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.query.TraceSchemaNotReadyException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** How the messages API answers when the trace store is not there yet, or not reachable. */
class TraceStoreTest {

    @Test
    void aTraceSchemaNeverMigratedReadsAsNoMessages() {
        TraceStore store = new TraceStore(new Refusing(new TraceSchemaNotReadyException(OptionalInt.empty(), 1)));
        Page<MessageRecord> none = new Page<>(List.of(), null);
        assertEquals(none, store.read(q -> q.byKey("rmq-aaaaaaaaaaaa", "k", PageRequest.first(20)), none));
        assertEquals(Optional.empty(), store.read(q -> q.lifecycle("rmq-aaaaaaaaaaaa", "01AB"), Optional.<Lifecycle>empty()));
    }

    @Test
    void aTraceSchemaOlderThanTheQueriesReadIsUnavailable() {
        TraceStore store = new TraceStore(new Refusing(new TraceSchemaNotReadyException(OptionalInt.of(1), 2)));
        ApiException e = assertThrows(ApiException.class, () -> store
                .read(q -> q.byKey("rmq-aaaaaaaaaaaa", "k", PageRequest.first(20)), new Page<>(List.of(), null)));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertEquals(503, e.code().httpStatus());
    }

    @Test
    void anUnreachableStoreIsUnavailableNotAnInternalError() {
        AgroalDataSource refusing = dataSource(() -> {
            throw new SQLException("Connection to 127.0.0.1:1 refused", "08001");
        });
        ApiException e = assertThrows(ApiException.class, () -> store(refusing)
                .read(q -> q.byKey("rmq-aaaaaaaaaaaa", "k", PageRequest.first(20)), null));
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("retry"), e.getMessage());
    }

    private static TraceStore store(AgroalDataSource dataSource) {
        return new TraceStore(dataSource, Optional.empty(), Optional.empty(), Optional.empty(), "gantry-trace", Optional.empty());
    }

    /** The query library as it answers while the schema is not ready: every query refused alike. */
    private record Refusing(RuntimeException refusal) implements TraceQueries {
        @Override
        public Optional<MessageRecord> message(String instanceId, String messageId) {
            throw refusal;
        }

        @Override
        public Page<MessageRecord> byKey(String instanceId, String key, PageRequest page) {
            throw refusal;
        }

        @Override
        public Page<MessageRecord> byTopic(String instanceId, String topic, Instant from, Instant to, PageRequest page) {
            throw refusal;
        }

        @Override
        public Optional<Lifecycle> lifecycle(String instanceId, String messageId) {
            throw refusal;
        }

        @Override
        public Page<DeadLetter> deadLetters(String instanceId, String group, PageRequest page) {
            throw refusal;
        }

        @Override
        public void close() {
        }
    }

    private interface ConnectionSource {
        Connection get() throws SQLException;
    }

    private static AgroalDataSource dataSource(ConnectionSource connections) {
        return (AgroalDataSource) Proxy.newProxyInstance(AgroalDataSource.class.getClassLoader(),
                new Class<?>[] {AgroalDataSource.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getConnection" -> connections.get();
                    case "toString" -> "test data source";
                    case "hashCode" -> 0;
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
