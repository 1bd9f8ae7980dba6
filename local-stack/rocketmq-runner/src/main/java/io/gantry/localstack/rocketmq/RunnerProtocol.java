package io.gantry.localstack.rocketmq;

/**
 * The contract between a parent process and the child JVM that runs {@link RocketMqRunnerMain}.
 *
 * <p>This class references no RocketMQ type, so a parent may load it without the RocketMQ server
 * on its classpath.
 */
public final class RunnerProtocol {

    /** Fully qualified name of the child's main class. */
    public static final String MAIN_CLASS = "io.gantry.localstack.rocketmq.RocketMqRunnerMain";

    /**
     * Classpath resource holding the RocketMQ server's runtime classpath (absolute jar paths joined
     * with the platform path separator), written at build time by maven-dependency-plugin.
     */
    public static final String CLASSPATH_RESOURCE = "io/gantry/localstack/rocketmq/runner.classpath";

    /**
     * Printed on stdout, at the start of a line, once the proxy's gRPC port accepts connections
     * and the broker has registered with the NameServer.
     */
    public static final String READY_LINE = "GANTRY-ROCKETMQ-READY";

    /** Printed on stdout, at the start of a line, when the child gives up starting. */
    public static final String FAILED_LINE = "GANTRY-ROCKETMQ-FAILED";

    /** Port of the NameServer (bound to 127.0.0.1). Required. */
    public static final String ARG_NAMESRV_PORT = "--namesrv-port";
    /** Path of the proxy's JSON configuration. Required. */
    public static final String ARG_PROXY_CONFIG = "--proxy-config";
    /** Path of the broker's properties configuration. Required. */
    public static final String ARG_BROKER_CONFIG = "--broker-config";
    /** Seconds the child waits for readiness before it exits with a failure. Optional (default 120). */
    public static final String ARG_READY_TIMEOUT_SECONDS = "--ready-timeout-seconds";
    /**
     * Whether the child exits when its standard input reaches end of file, i.e. when its parent dies
     * or closes the pipe: {@code true} (default) or {@code false} (for running it by hand).
     */
    public static final String ARG_EXIT_ON_STDIN_EOF = "--exit-on-stdin-eof";

    private RunnerProtocol() {
    }
}
