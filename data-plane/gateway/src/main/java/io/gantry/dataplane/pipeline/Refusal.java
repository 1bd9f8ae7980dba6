package io.gantry.dataplane.pipeline;

import apache.rocketmq.v2.Code;

/**
 * A request the gateway answers itself, with a RocketMQ status code the SDK reports plainly, and never
 * forwards. Thrown by pipeline stages and the name mapper; cheap (no stack trace).
 */
public final class Refusal extends RuntimeException {
    private final Code code;

    public Refusal(Code code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
