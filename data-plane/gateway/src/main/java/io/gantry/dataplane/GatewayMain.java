package io.gantry.dataplane;

import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** {@code java -jar data-plane-gateway-<version>.jar}: a gateway configured by {@code GANTRY_*} variables. */
public final class GatewayMain {
    private GatewayMain() {
    }

    public static void main(String[] args) throws Exception {
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
        Logger log = Logger.getLogger(GatewayMain.class.getName());
        GatewayConfig config;
        try {
            config = GatewayConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("gantry gateway: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config.configEndpoint() == null) {
            log.warning("GANTRY_CONFIG_ENDPOINT is not set: no configuration will arrive and every call is refused");
        }
        Gateway gateway = Gateway.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("stopping");
            gateway.close();
            stopped.countDown();
        }, "gantry-gateway-stop"));
        stopped.await();
    }
}
