/**
 * The stages a call passes, in the order {@link io.gantry.dataplane.pipeline.Pipeline} writes down:
 * authenticate, resolve the instance, authorize (IP allowlist), then per message, in the relay: map
 * names, admit (ACL, size, throughput), forward, count. A stage refuses with {@link io.gantry.dataplane.pipeline.Refusal}, which carries a RocketMQ
 * {@code Code}; refused calls are answered by the gateway and never forwarded. Stages are stateless
 * apart from the config view they read, and safe to call from any thread.
 */
package io.gantry.dataplane.pipeline;
