package io.gantry.dataplane.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GatewayMetricsTest {
    @Test
    void rendersPrometheusText() {
        GatewayMetrics m = new GatewayMetrics();
        m.sent("rmq-a", "orders", 100);
        m.sent("rmq-a", "orders", 50);
        m.received("rmq-a", "orders", "workers", 100);
        m.call("rmq-a", "SendMessage", "OK");
        m.call("", "QueryRoute", "UNAUTHORIZED");
        m.gauge("gantry_gateway_config_version", "v", () -> 12);
        String text = m.render();
        assertTrue(text.contains("gantry_gateway_messages_sent_total{instance=\"rmq-a\",topic=\"orders\"} 2\n"), text);
        assertTrue(text.contains("gantry_gateway_bytes_sent_total{instance=\"rmq-a\",topic=\"orders\"} 150\n"), text);
        assertTrue(text.contains("gantry_gateway_messages_received_total{instance=\"rmq-a\",topic=\"orders\",group=\"workers\"} 1\n"), text);
        assertTrue(text.contains("gantry_gateway_calls_total{instance=\"\",rpc=\"QueryRoute\",code=\"UNAUTHORIZED\"} 1\n"), text);
        assertTrue(text.contains("# TYPE gantry_gateway_config_version gauge\ngantry_gateway_config_version 12\n"), text);
        assertEquals(2, m.messages("rmq-a", "orders", "", true));
        assertEquals(1, m.messages("rmq-a", "orders", "workers", false));
        assertEquals("a\\\"b\\\\c\\n", GatewayMetrics.escape("a\"b\\c\n"));
    }
}
