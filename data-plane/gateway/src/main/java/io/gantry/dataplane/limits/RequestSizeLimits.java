package io.gantry.dataplane.limits;

import apache.rocketmq.v2.MessagingServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * The largest request message each RPC accepts. Only SendMessage carries bodies; every other request
 * is names, ids and handles, so megabytes there can only be an attempt to make the gateway hold memory.
 *
 * <p>grpc-java has one inbound limit per server, checked against the length prefix before the message is
 * buffered. A per-RPC limit has no such hook, so this tracer counts a message's bytes as the transport
 * reads them and fails the stream the moment they pass the RPC's limit: the gateway holds at most the
 * limit plus one read, never the whole message. The failure takes grpc's own path for an oversized
 * message ({@code RESOURCE_EXHAUSTED}, stream reset), so the client sees the same as for the server-wide
 * limit.
 */
public final class RequestSizeLimits extends ServerStreamTracer.Factory {
    private static final String SEND = MessagingServiceGrpc.getSendMessageMethod().getFullMethodName();

    private final int sendMessageBytes;
    private final int otherBytes;

    public RequestSizeLimits(int sendMessageBytes, int otherBytes) {
        if (sendMessageBytes < 1 || otherBytes < 1) {
            throw new IllegalArgumentException("request size limits must be positive");
        }
        this.sendMessageBytes = sendMessageBytes;
        this.otherBytes = otherBytes;
    }

    /** The server-wide limit: the largest of the per-RPC ones. */
    public int largest() {
        return Math.max(sendMessageBytes, otherBytes);
    }

    public int limitOf(String fullMethodName) {
        return SEND.equals(fullMethodName) ? sendMessageBytes : otherBytes;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
        int limit = limitOf(fullMethodName);
        return limit >= largest() ? NO_CHECK : new Counting(fullMethodName, limit);
    }

    /** Calls whose limit is the server's own: grpc-java checks it before buffering. */
    private static final ServerStreamTracer NO_CHECK = new ServerStreamTracer() { };

    /** Called by one transport thread per stream, in order: no synchronization needed. */
    private static final class Counting extends ServerStreamTracer {
        private final String method;
        private final int limit;
        private long inCurrentMessage;

        Counting(String method, int limit) {
            this.method = method;
            this.limit = limit;
        }

        @Override
        public void inboundMessage(int seqNo) {
            // the length prefix of a new message was read; its body follows
            inCurrentMessage = 0;
        }

        @Override
        public void inboundWireSize(long bytes) {
            inCurrentMessage += bytes;
            if (inCurrentMessage > limit) {
                throw Status.RESOURCE_EXHAUSTED
                        .withDescription("a " + method.substring(method.lastIndexOf('/') + 1) + " request may be at most "
                                + limit + " bytes")
                        .asRuntimeException();
            }
        }
    }
}
