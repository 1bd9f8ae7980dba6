/**
 * The relay of {@code apache.rocketmq.v2.MessagingService}: {@link io.gantry.dataplane.relay.Rpcs} lists
 * the 17 RPCs with their typed handling, {@link io.gantry.dataplane.relay.RelayCall} relays one call.
 *
 * <p>Threading contract: everything runs on the gateway's Netty event loops with direct executors and
 * never blocks. A relayed call keeps to the event loop of its client connection (the upstream channel of
 * that loop is used), and all state of a call is guarded by the call object's monitor. Flow control is
 * one message in hand per direction; cancellation and deadlines travel upstream; an upstream call is
 * always closed (see {@code gantry_gateway_upstream_calls_in_flight}).
 */
package io.gantry.dataplane.relay;
