/**
 * Throughput limits of an instance and their enforcement across gateway replicas.
 *
 * <p>How the pieces fit: a message costs {@link io.gantry.isolation.throttle.MessageWeights#cost}
 * units; an instance's {@link io.gantry.isolation.throttle.ThroughputLimits} (send and receive, in
 * units per second) are split among the gateway replicas serving it by
 * {@link io.gantry.isolation.throttle.ShareAllocator} from the demand each replica reported; each
 * replica enforces its share with a {@link io.gantry.isolation.throttle.TokenBucket} and records
 * demand, admissions and refusals in a {@link io.gantry.isolation.throttle.LimitCounter}, drained
 * once per report period.
 *
 * <p>Threading: {@code TokenBucket} and {@code LimitCounter} are safe to call from any number of
 * event-loop threads and never allocate or block for long; the other types are immutable or
 * stateless.
 */
package io.gantry.isolation.throttle;
