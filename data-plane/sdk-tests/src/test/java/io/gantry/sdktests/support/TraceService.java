package io.gantry.sdktests.support;

import static io.restassured.RestAssured.given;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The trace service process this harness runs ({@code trace-service/target/trace-service-*.jar}, its
 * {@code lib/} beside it): it reads the trace topic of every cluster the control plane has, and indexes
 * into the stack's database, where the control plane's messages API reads. Tests stop and start it
 * again to see that nothing is lost meanwhile.
 */
public final class TraceService {

    private static final Duration READY = Duration.ofSeconds(60);

    private final Path jar;
    private final Map<String, String> env;
    private final Path log;
    private final Path ledger;
    private final Path workingDirectory;
    private final int metricsPort;
    private volatile ChildProcess process;
    private int starts;

    TraceService(Path jar, Map<String, String> env, int metricsPort, Path log, Path ledger, Path workingDirectory) {
        this.jar = jar;
        this.env = Map.copyOf(env);
        this.metricsPort = metricsPort;
        this.log = log;
        this.ledger = ledger;
        this.workingDirectory = workingDirectory;
    }

    /** Starts the process and waits until it answers its health check. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the trace service is already running: " + process);
        }
        long started = System.nanoTime();
        starts++;
        ChildProcess child = ChildProcess.startJava("trace-service", List.of("-Xmx256m"),
                List.of("-jar", jar.toString()), env, log, ledger, workingDirectory);
        process = child;
        Await.until("the trace service to be ready (" + log + ")", READY, () -> {
            child.requireAlive();
            return given().baseUri(metricsUrl()).get("/healthz").statusCode() == 200;
        });
        GantryStack.log("trace service ready in " + Duration.ofNanos(System.nanoTime() - started).toMillis()
                + " ms (start " + starts + ", pid " + child.pid() + ")");
    }

    /** SIGKILL: the trace service crashed, with whatever it had read but not yet committed. */
    public synchronized void kill() {
        if (process != null) {
            process.kill();
            GantryStack.log("trace service killed (pid " + process.pid() + ")");
        }
    }

    public synchronized void stop() {
        if (process != null) {
            process.close();
        }
    }

    public boolean isAlive() {
        ChildProcess p = process;
        return p != null && p.isAlive();
    }

    /** {@code http://127.0.0.1:PORT}: {@code /metrics}, {@code /healthz}. */
    public String metricsUrl() {
        return "http://127.0.0.1:" + metricsPort;
    }

    ChildProcess process() {
        return process;
    }

    /** The end of its log, for failure messages. */
    public String logTail() {
        ChildProcess p = process;
        return p == null ? "(not started)" : p.tail(4000);
    }
}
