package io.gantry.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectionLimitsTest {
    @Test
    void defaults() {
        ConnectionLimits d = GatewayConfig.fromEnv(Map.of()).connections();
        assertEquals(256, d.maxConnectionsPerAddress());
        assertEquals(256, d.maxCallsPerConnection());
        assertEquals(Duration.ofMinutes(5), d.maxConnectionIdle());
        assertEquals(Duration.ofHours(1), d.maxConnectionAge());
        assertEquals(Duration.ofMinutes(1), d.maxConnectionAgeGrace());
        assertEquals(9 * 1024 * 1024, d.maxSendRequestBytes(), "the largest edition's 8 MiB and 1 MiB of properties");
        assertEquals(1024 * 1024, d.maxRequestBytes());
    }

    @Test
    void everyVariable() {
        ConnectionLimits c = GatewayConfig.fromEnv(Map.of(
                "GANTRY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "10",
                "GANTRY_GATEWAY_MAX_CALLS_PER_CONNECTION", "20",
                "GANTRY_GATEWAY_MAX_CONNECTION_IDLE_SECONDS", "30",
                "GANTRY_GATEWAY_MAX_CONNECTION_AGE_SECONDS", "40",
                "GANTRY_GATEWAY_MAX_CONNECTION_AGE_GRACE_SECONDS", "50",
                "GANTRY_GATEWAY_MAX_SEND_REQUEST_BYTES", "70000000",
                "GANTRY_GATEWAY_MAX_REQUEST_BYTES", "65536")).connections();
        assertEquals(new ConnectionLimits(10, 20, Duration.ofSeconds(30), Duration.ofSeconds(40), Duration.ofSeconds(50), 70_000_000, 65_536), c);
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_MAX_CONNECTIONS_PER_ADDRESS", "0")));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_MAX_CALLS_PER_CONNECTION", "-1")));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_MAX_REQUEST_BYTES", "lots")));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_MAX_REQUEST_BYTES", "100")));
        assertThrows(IllegalArgumentException.class, () -> GatewayConfig.fromEnv(Map.of("GANTRY_GATEWAY_MAX_CONNECTION_IDLE_SECONDS", "0")));
    }
}
