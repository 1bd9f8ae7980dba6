/**
 * Real components that Gantry runs on, started by the project itself, for the tests of every module
 * and for the local stack: Apache RocketMQ ({@link io.gantry.localstack.RocketMqCluster}, a child JVM),
 * PostgreSQL ({@link io.gantry.localstack.PostgresServer}, a separate process from zonky's binaries) and
 * an OIDC provider for tests ({@link io.gantry.localstack.OidcTestServer}, a child JVM).
 *
 * <p>Lifecycle: each component is started by a static factory that returns only once it serves
 * requests, and is stopped by {@code close()}, which is idempotent and deletes what the component
 * created in temporary directories. A child JVM also exits by itself when its parent JVM dies; a
 * PostgreSQL left running by a killed JVM is stopped by the next {@code PostgresServer} start.
 * {@link io.gantry.localstack.SharedComponents} holds one of each per JVM, started lazily and
 * stopped by a shutdown hook; {@link io.gantry.localstack.RealComponentsExtension} injects those
 * into JUnit 5 tests.
 *
 * <p>Threading: every public type is safe to use from several threads, except
 * {@link io.gantry.localstack.RocketMqCluster.Options}, a builder.
 *
 * <p>Network: everything listens on 127.0.0.1 / localhost except the RocketMQ Proxy's gRPC and remoting
 * ports and the Broker's HA port, which RocketMQ binds to all interfaces; authentication guards them.
 */
package io.gantry.localstack;
