package io.gantry.controlplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.gantry.api.ErrorCode;
import io.gantry.controlplane.api.ApiException;
import io.gantry.trace.query.Lifecycle;
import io.gantry.trace.query.MessageRecord;
import io.gantry.trace.query.Page;
import io.gantry.trace.query.PageRequest;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the messages API answers when the trace store is not there yet, or not reachable. */
class TraceStoreTest {

    @Test
    void aMissingTraceSchemaReadsAsNoMessages() {
        TraceStore store = store(connectionFailingWith("3F000"));
        Page<MessageRecord> none = new Page<>(List.of(), null);
        assertEquals(none, store.read(q -> q.byKey("rmq-aaaaaaaaaaaa", "k", PageRequest.first(20)), none));
        assertEquals(Optional.empty(), store.read(q -> q.lifecycle("rmq-aaaaaaaaaaaa", "01AB"), Optional.<Lifecycle>empty()));
        TraceStore noTable = store(connectionFailingWith("42P01"));
        assertEquals(none, noTable.read(q -> q.byKey("rmq-aaaaaaaaaaaa", "k", PageRequest.first(20)), none));
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

    /** A data source whose connections fail every statement with this SQL state, as PostgreSQL would. */
    private static AgroalDataSource connectionFailingWith(String sqlState) {
        InvocationHandler failing = (proxy, method, args) -> switch (method.getName()) {
            case "close", "setAutoCommit", "setReadOnly", "setTransactionIsolation" -> null;
            case "isClosed" -> false;
            case "getAutoCommit" -> true;
            case "toString" -> "failing connection";
            case "hashCode" -> 0;
            case "equals" -> proxy == args[0];
            default -> throw new SQLException("ERROR: schema \"trace\" does not exist", sqlState);
        };
        Connection connection = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, failing);
        return dataSource(() -> connection);
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
