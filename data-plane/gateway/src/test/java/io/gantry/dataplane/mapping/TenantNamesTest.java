package io.gantry.dataplane.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Resource;
import io.gantry.dataplane.pipeline.Refusal;
import org.junit.jupiter.api.Test;

class TenantNamesTest {
    final TenantNames names = new TenantNames("rmq-aaaaaaaaaaaa");

    static Resource r(String name) {
        return Resource.newBuilder().setName(name).build();
    }

    static Resource r(String ns, String name) {
        return Resource.newBuilder().setResourceNamespace(ns).setName(name).build();
    }

    @Test
    void wrapsAndCaches() {
        Resource first = names.toUpstream(r("orders"), Code.ILLEGAL_TOPIC, "topic");
        assertEquals(r("rmq-aaaaaaaaaaaa%orders"), first);
        assertSame(first, names.toUpstream(r("orders"), Code.ILLEGAL_TOPIC, "topic"));
        assertEquals(r(""), names.toUpstream(r(""), Code.ILLEGAL_TOPIC, "topic"));
    }

    @Test
    void refusesWhatCouldReachOutside() {
        for (String bad : new String[] {"a%b", "rmq-bbbbbbbbbbbb%orders", "%RETRY%g", "%DLQ%g", "%SYS%x", "rmq_sys_x",
            "TBW102", "SCHEDULE_TOPIC_XXXX", "with space", "x".repeat(200)}) {
            Refusal e = assertThrows(Refusal.class, () -> names.toUpstream(r(bad), Code.ILLEGAL_CONSUMER_GROUP, "group"), bad);
            assertEquals(Code.ILLEGAL_CONSUMER_GROUP, e.code());
        }
        Refusal ns = assertThrows(Refusal.class, () -> names.toUpstream(r("rmq-aaaaaaaaaaaa", "orders"), Code.ILLEGAL_TOPIC, "topic"));
        assertEquals(Code.ILLEGAL_TOPIC, ns.code());
    }

    @Test
    void unwrapsBothFormsAndNothingForeign() {
        assertEquals(r("orders"), names.toClient(r("rmq-aaaaaaaaaaaa%orders")));
        assertEquals(r("orders"), names.toClient(r("rmq-aaaaaaaaaaaa", "orders")));
        assertEquals(r("%RETRY%g"), names.toClient(r("%RETRY%rmq-aaaaaaaaaaaa%g")));
        assertEquals(r("%DLQ%g"), names.toClient(r("%DLQ%rmq-aaaaaaaaaaaa%g")));
        assertEquals(r("%RETRY%g"), names.toClient(r("rmq-aaaaaaaaaaaa", "%RETRY%g")));
        assertEquals(r(""), names.toClient(r("")));
        assertNull(names.toClient(r("rmq-bbbbbbbbbbbb%orders")));
        assertNull(names.toClient(r("rmq-bbbbbbbbbbbb", "orders")));
        assertNull(names.toClient(r("%DLQ%rmq-bbbbbbbbbbbb%g")));
        assertNull(names.toClient(r("orders")), "a name without namespace is nobody's");
        assertNull(names.toClient(r("rmq-aaaaaaaaaaaa%")));
        assertNull(names.toClient(r("rmq-aaaaaaaaaaaa%x%y")));
        assertNull(names.toClient(r("rmq-aaaaaaaaaaaa", "x%y")));
        assertNull(names.toClient(r("rmq-aaaaaaaaaaaaa%orders")), "a longer namespace sharing the prefix");
        assertNull(names.toClientName("RMQ-AAAAAAAAAAAA%orders"));
    }

    @Test
    void refusesUnusableNamespaces() {
        assertThrows(IllegalArgumentException.class, () -> new TenantNames(""));
        assertThrows(IllegalArgumentException.class, () -> new TenantNames("a%b"));
    }

    @Test
    void parsesEndpoints() {
        assertEquals("IPv4", EndpointsFormat.parse("127.0.0.1:8091").getScheme().name());
        assertEquals("DOMAIN_NAME", EndpointsFormat.parse("gw.example.com:8091").getScheme().name());
        assertEquals("IPv6", EndpointsFormat.parse("[::1]:8091").getScheme().name());
        assertEquals("::1", EndpointsFormat.parse("[::1]:8091").getAddresses(0).getHost());
        assertThrows(IllegalArgumentException.class, () -> EndpointsFormat.parse("nohost"));
        assertThrows(IllegalArgumentException.class, () -> EndpointsFormat.parse("h:0"));
        assertThrows(IllegalArgumentException.class, () -> EndpointsFormat.parse("h:x"));
    }
}
