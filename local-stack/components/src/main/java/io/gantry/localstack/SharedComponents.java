package io.gantry.localstack;

import java.util.List;
import java.util.function.Supplier;

/**
 * JVM-wide shared components, each started at most once per JVM on first use (so once per test run,
 * not once per test class) and stopped by a JVM shutdown hook.
 *
 * <p>Thread-safe: concurrent first calls start one instance; the three components start independently
 * of each other. When a start fails, later calls fail at once with the same cause instead of trying
 * again. Callers must not {@code close()} what they get here.
 *
 * <p>Tests share them, so each test creates its own, uniquely named resources (topics, groups,
 * databases) rather than relying on an empty server.
 */
public final class SharedComponents {

    private static final Shared<RocketMqCluster> ROCKETMQ = new Shared<>("RocketMQ", RocketMqCluster::start);
    private static final Shared<PostgresServer> POSTGRES = new Shared<>("PostgreSQL", PostgresServer::startTemporary);
    private static final Shared<OidcTestServer> OIDC = new Shared<>("OIDC provider", OidcTestServer::start);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(SharedComponents::closeAll, "gantry-shared-components-stop"));
    }

    private SharedComponents() {
    }

    /** A RocketMQ cluster with default options (temporary store, random admin credentials, free ports). */
    public static RocketMqCluster rocketMq() {
        return ROCKETMQ.get();
    }

    /** A temporary PostgreSQL server; create a database of your own with {@link PostgresServer#createDatabase}. */
    public static PostgresServer postgres() {
        return POSTGRES.get();
    }

    /** An OIDC provider for tests. */
    public static OidcTestServer oidc() {
        return OIDC.get();
    }

    private static void closeAll() {
        for (Shared<?> shared : List.of(OIDC, POSTGRES, ROCKETMQ)) {
            shared.closeQuietly();
        }
    }

    private static final class Shared<T extends AutoCloseable> {
        private final String name;
        private final Supplier<T> starter;
        private T instance;
        private RuntimeException failure;

        Shared(String name, Supplier<T> starter) {
            this.name = name;
            this.starter = starter;
        }

        synchronized T get() {
            if (instance != null) {
                return instance;
            }
            if (failure != null) {
                throw new IllegalStateException("the shared " + name + " failed to start earlier in this JVM", failure);
            }
            try {
                instance = starter.get();
                return instance;
            } catch (RuntimeException e) {
                failure = e;
                throw e;
            }
        }

        void closeQuietly() {
            T toClose;
            synchronized (this) {
                toClose = instance;
            }
            if (toClose != null) {
                try {
                    toClose.close();
                } catch (Exception e) {
                    System.err.println("could not stop the shared " + name + ": " + e);
                }
            }
        }
    }
}
