/**
 * What one client, one connection and one instance may hold of a gateway: sizes of requests per RPC
 * ({@link io.gantry.dataplane.limits.RequestSizeLimits}), connections per remote address
 * ({@link io.gantry.dataplane.limits.ConnectionsPerAddress}) and per-instance client state that lives on
 * the shared proxies ({@link io.gantry.dataplane.limits.InstanceClients}: Telemetry streams, long-poll
 * receives, distinct client ids).
 *
 * <p>Threading: everything here is called on the Netty event loops and must not block; counters are
 * lock-free, and a refusal costs no more than the call it refuses.
 */
package io.gantry.dataplane.limits;
