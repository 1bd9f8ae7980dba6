package io.gantry.dataplane.trace;

import io.gantry.dataplane.pipeline.CallContext;

/**
 * Where the relay hands what it sees of each message to message tracing. Both methods run on a gRPC
 * event loop inside the relayed call: they must not block, must not throw, and must be cheap (copy what
 * is needed and return). Requests and responses carry the tenant's own names (not the namespace's); they
 * are immutable protobuf messages, but keeping a reference keeps the message body alive too, so an
 * implementation copies the fields it needs rather than holding on to them. Only what the relay forwards
 * and relays back reaches the tap: requests the gateway refuses and error answers it makes itself (an
 * unreachable proxy, a timeout) do not; a message the proxy never answered leaves no event at all.
 *
 * @see TraceRecorder
 */
public interface TraceTap {
    TraceTap NONE = new TraceTap() {
    };

    /** A client request admitted and about to be forwarded ({@code startNanos} from {@link System#nanoTime()}). */
    default void onRequest(String rpc, Object clientRequest, CallContext context, long startNanos) {
    }

    /** A response relayed to the client for {@code clientRequest} (one per message of a stream). */
    default void onResponse(String rpc, Object clientRequest, Object clientResponse, CallContext context, long startNanos) {
    }
}
