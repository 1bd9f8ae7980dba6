package io.gantry.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {
    @Test
    void defaults() {
        GatewayConfig c = GatewayConfig.fromEnv(Map.of());
        assertEquals("127.0.0.1", c.bindAddress());
        assertEquals(8091, c.tlsPort());
        assertNull(c.plaintextPort());
        assertNull(c.tlsCert());
        assertNull(c.configEndpoint());
        assertEquals("", c.regionId());
        assertEquals(9464, c.metricsPort());
        assertEquals("127.0.0.1", c.metricsBindAddress(), "metrics stay on loopback unless asked otherwise");
    }

    @Test
    void everyVariable() {
        GatewayConfig c = GatewayConfig.fromEnv(Map.ofEntries(
                Map.entry("GANTRY_GATEWAY_BIND", "0.0.0.0"),
                Map.entry("GANTRY_GATEWAY_PORT", "9091"),
                Map.entry("GANTRY_GATEWAY_TLS_CERT", "/c.pem"),
                Map.entry("GANTRY_GATEWAY_TLS_KEY", "/k.pem"),
                Map.entry("GANTRY_GATEWAY_PLAINTEXT_PORT", "9092"),
                Map.entry("GANTRY_GATEWAY_ADVERTISED_ENDPOINT", "gw.example.com:443"),
                Map.entry("GANTRY_GATEWAY_PLAINTEXT_ADVERTISED_ENDPOINT", "gw.example.com:80"),
                Map.entry("GANTRY_CONFIG_ENDPOINT", "cp:9000"),
                Map.entry("GANTRY_GATEWAY_TOKEN", "t"),
                Map.entry("GANTRY_REGION", "eu"),
                Map.entry("GANTRY_GATEWAY_ID", "gw-1"),
                Map.entry("GANTRY_GATEWAY_METRICS_PORT", "-1"),
                Map.entry("GANTRY_GATEWAY_METRICS_BIND", "10.0.0.5"),
                Map.entry("GANTRY_GATEWAY_IO_THREADS", "1")));
        assertEquals("0.0.0.0", c.bindAddress());
        assertEquals(9091, c.tlsPort());
        assertEquals(Path.of("/c.pem"), c.tlsCert());
        assertEquals(9092, c.plaintextPort());
        assertEquals("gw.example.com:443", c.advertisedEndpoint());
        assertEquals("gw.example.com:80", c.plaintextAdvertisedEndpoint());
        assertEquals("cp:9000", c.configEndpoint());
        assertEquals("t", c.gatewayToken());
        assertEquals("eu", c.regionId());
        assertEquals("gw-1", c.gatewayId());
        assertEquals(-1, c.metricsPort());
        assertEquals("10.0.0.5", c.metricsBindAddress());
        assertEquals(1, c.ioThreads());
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_PORT", "x")));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_PORT", "70000")));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_TLS_CERT", "/c.pem")));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_IO_THREADS", "0")));
    }
}
