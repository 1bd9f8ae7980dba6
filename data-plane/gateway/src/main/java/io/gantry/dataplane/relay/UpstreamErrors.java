package io.gantry.dataplane.relay;

import apache.rocketmq.v2.Code;
import io.grpc.Status;

/** An upstream call's gRPC failure as the RocketMQ status an SDK reports plainly. */
final class UpstreamErrors {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(UpstreamErrors.class.getName());

    private UpstreamErrors() {
    }

    static apache.rocketmq.v2.Status toRocketMq(Status status) {
        // Only the gRPC code goes to the client: the proxy's description names brokers, addresses,
        // namespaces of other tenants and internals; it is logged instead.
        if (status.getDescription() != null) {
            LOG.fine(() -> "upstream failure " + status);
        }
        String detail = status.getCode().name();
        Code code;
        String text;
        switch (status.getCode()) {
            case DEADLINE_EXCEEDED -> {
                code = Code.PROXY_TIMEOUT;
                text = "the RocketMQ cluster did not answer in time";
            }
            case UNAVAILABLE -> {
                code = Code.INTERNAL_SERVER_ERROR;
                text = "the RocketMQ cluster of this instance is unreachable, retry later";
            }
            case RESOURCE_EXHAUSTED -> {
                code = Code.TOO_MANY_REQUESTS;
                text = "the RocketMQ cluster is overloaded";
            }
            case UNAUTHENTICATED, PERMISSION_DENIED -> {
                code = Code.INTERNAL_SERVER_ERROR;
                text = "the RocketMQ cluster refused the gateway (an operator must check the cluster credentials)";
            }
            case UNIMPLEMENTED -> {
                code = Code.NOT_IMPLEMENTED;
                text = "the RocketMQ cluster does not implement this call";
            }
            case INVALID_ARGUMENT -> {
                code = Code.BAD_REQUEST;
                text = "the RocketMQ cluster rejected the request";
            }
            default -> {
                code = Code.INTERNAL_SERVER_ERROR;
                text = "the call to the RocketMQ cluster failed";
            }
        }
        return apache.rocketmq.v2.Status.newBuilder().setCode(code).setMessage(text + " (" + detail + ")").build();
    }
}
