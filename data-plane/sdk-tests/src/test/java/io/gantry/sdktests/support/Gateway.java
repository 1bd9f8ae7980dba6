package io.gantry.sdktests.support;

import java.time.Duration;

/** A gateway replica this harness started. */
public final class Gateway implements AutoCloseable {

    private final String id;
    private final ChildProcess process;
    private final String tlsEndpoint;
    private final String plaintextEndpoint;
    private final String advertisedEndpoint;
    private final String metricsUrl;

    Gateway(String id, ChildProcess process, String tlsEndpoint, String plaintextEndpoint, String advertisedEndpoint,
            String metricsUrl) {
        this.id = id;
        this.process = process;
        this.tlsEndpoint = tlsEndpoint;
        this.plaintextEndpoint = plaintextEndpoint;
        this.advertisedEndpoint = advertisedEndpoint;
        this.metricsUrl = metricsUrl;
    }

    public String id() {
        return id;
    }

    /** {@code 127.0.0.1:PORT} of the TLS listener (the Java SDK's default). */
    public String tlsEndpoint() {
        return tlsEndpoint;
    }

    /** {@code 127.0.0.1:PORT} of the plaintext listener (the Node SDK's default). */
    public String plaintextEndpoint() {
        return plaintextEndpoint;
    }

    public String advertisedEndpoint() {
        return advertisedEndpoint;
    }

    /** The Prometheus endpoint. */
    public String metricsUrl() {
        return metricsUrl;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public ChildProcess process() {
        return process;
    }

    /** User + system CPU time the gateway process has used so far. */
    public Duration cpuTime() {
        return process.cpuTime();
    }

    /** The end of its log, for failure messages. */
    public String logTail() {
        return process.tail(4000);
    }

    /** SIGKILL: a replica that crashed. */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return "gateway " + id + " (" + tlsEndpoint + ", pid " + pid() + ")";
    }
}
