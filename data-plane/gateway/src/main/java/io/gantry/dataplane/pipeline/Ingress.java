package io.gantry.dataplane.pipeline;

import apache.rocketmq.v2.Endpoints;

/**
 * One listener of the gateway (TLS or plaintext) and the endpoint clients reach it at, written into
 * every {@code Endpoints} answered on it. The endpoint is set once the listener is bound (its port may
 * have been picked by the OS), before its address is handed to anyone.
 */
public final class Ingress {
    private final String name;
    private volatile Endpoints advertised;

    public Ingress(String name, Endpoints advertised) {
        this.name = name;
        this.advertised = advertised;
    }

    public String name() {
        return name;
    }

    public Endpoints advertised() {
        return advertised;
    }

    public void advertise(Endpoints endpoints) {
        this.advertised = endpoints;
    }
}
