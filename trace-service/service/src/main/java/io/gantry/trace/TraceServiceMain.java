package io.gantry.trace;

import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** {@code java -jar trace-service-<version>.jar}: a trace service configured by {@code GANTRY_*} variables. */
public final class TraceServiceMain {
    /** Printed on stdout once the service runs (the schema is migrated and the metrics port is open). */
    public static final String READY_LINE = "gantry trace service ready";

    private TraceServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
        Logger log = Logger.getLogger(TraceServiceMain.class.getName());
        TraceServiceConfig config;
        try {
            config = TraceServiceConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("gantry trace service: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config.configEndpoint() == null) {
            log.warning("GANTRY_CONFIG_ENDPOINT is not set: no cluster will be read");
        }
        if (config.archive() == null) {
            log.warning("GANTRY_S3_ENDPOINT is not set: trace older than " + config.hotDays() + " days is deleted, not archived");
        }
        TraceService service = TraceService.start(config);
        System.out.println(READY_LINE + " (metrics port " + service.metricsPort() + ")");
        System.out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            service.close();
            stopped.countDown();
        }, "gantry-trace-stop"));
        stopped.await();
    }
}
