package io.gantry.dataplane.mapping;

import apache.rocketmq.v2.Code;

/**
 * The gateway's own words for an error status the proxy answered. The proxy's texts carry what a tenant
 * must not see — broker names and addresses, namespaces, other clients' ids, Java exception messages — and
 * stripping known prefixes cannot be complete, so none of its text is passed on: the code is kept (the SDK
 * acts on it) and the text is replaced by one per code. It does not name the instance either: the instance id
 * is the namespace on the cluster, which answers never show.
 */
final class ProxyStatusTexts {
    private ProxyStatusTexts() {
    }

    static String of(Code code) {
        return switch (code) {
            case TOPIC_NOT_FOUND -> "the topic does not exist on the RocketMQ cluster";
            case CONSUMER_GROUP_NOT_FOUND -> "the consumer group does not exist on the RocketMQ cluster";
            case MESSAGE_NOT_FOUND -> "no message found";
            case OFFSET_NOT_FOUND -> "no offset found";
            case INVALID_RECEIPT_HANDLE -> "the receipt handle is invalid";
            case ILLEGAL_TOPIC, ILLEGAL_CONSUMER_GROUP, ILLEGAL_MESSAGE_TAG, ILLEGAL_MESSAGE_KEY, ILLEGAL_MESSAGE_GROUP,
                 ILLEGAL_MESSAGE_PROPERTY_KEY, ILLEGAL_MESSAGE_ID, ILLEGAL_FILTER_EXPRESSION, ILLEGAL_INVISIBLE_TIME,
                 ILLEGAL_DELIVERY_TIME, ILLEGAL_POLLING_TIME, ILLEGAL_OFFSET, ILLEGAL_ACCESS_POINT, INVALID_TRANSACTION_ID,
                 MESSAGE_PROPERTIES_TOO_LARGE, MESSAGE_PROPERTY_CONFLICT_WITH_TYPE, MESSAGE_BODY_TOO_LARGE,
                 MESSAGE_BODY_EMPTY, MESSAGE_CORRUPTED, CLIENT_ID_REQUIRED, UNRECOGNIZED_CLIENT_TYPE, VERIFY_FIFO_MESSAGE_UNSUPPORTED,
                 BAD_REQUEST, PAYLOAD_TOO_LARGE, UNSUPPORTED -> "the RocketMQ cluster rejected the request: "
                    + code.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
            case TOO_MANY_REQUESTS -> "the RocketMQ cluster is busy, retry later";
            case PROXY_TIMEOUT, MASTER_PERSISTENCE_TIMEOUT, SLAVE_PERSISTENCE_TIMEOUT ->
                    "the RocketMQ cluster did not answer in time (" + code.name() + ")";
            case HA_NOT_AVAILABLE -> "the RocketMQ cluster could not replicate the message (HA_NOT_AVAILABLE)";
            case UNAUTHORIZED, FORBIDDEN -> "the RocketMQ cluster refused the gateway (an operator must check the cluster credentials)";
            case NOT_IMPLEMENTED -> "the RocketMQ cluster does not implement this call";
            default -> "the RocketMQ cluster answered " + code.name();
        };
    }
}
