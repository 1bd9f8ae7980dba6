package io.gantry.isolation.naming;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ResourceNamesTest {
    private static final String NS = "rmq-abcdefghijkl";

    @ParameterizedTest
    @ValueSource(strings = {"orders", "Orders_2024", "a", "order-events", "GID_payments"})
    void acceptsRocketMqNames(String name) {
        assertTrue(ResourceNames.check(name, NS).isEmpty(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rmq-other%orders", "%RETRY%g", "%DLQ%g", "%retry%g", "a%b", "%"})
    void refusesNamespaceSeparatorAsReserved(String name) {
        assertEquals(NameViolation.Kind.RESERVED, ResourceNames.check(name, NS).orElseThrow().kind(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rmq_sys_trace", "RMQ_SYS_TRANS_HALF_TOPIC", "TBW102", "SCHEDULE_TOPIC_XXXX", "CID_RMQ_SYS_x"})
    void refusesSystemNames(String name) {
        assertEquals(NameViolation.Kind.RESERVED, ResourceNames.check(name, NS).orElseThrow().kind(), name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "ünïcode", "dot.ted", "slash/ed", "tab\t", "emoji😀"})
    void refusesCharactersOutsideRocketMqRules(String name) {
        assertEquals(NameViolation.Kind.INVALID, ResourceNames.check(name, NS).orElseThrow().kind(), name);
    }

    @Test
    void lengthLimitLeavesRoomForTheNamespace() {
        int max = ResourceNames.maxLength(NS);
        assertEquals(127 - NS.length() - 1, max);
        assertTrue(ResourceNames.check("a".repeat(max), NS).isEmpty());
        assertEquals(NameViolation.Kind.INVALID, ResourceNames.check("a".repeat(max + 1), NS).orElseThrow().kind());
        assertEquals(127, Namespaces.wrap(NS, "a".repeat(max)).length());
    }

    @Test
    void namespacedFormsMatchRocketMq() {
        assertEquals(NS + "%orders", Namespaces.wrap(NS, "orders"));
        assertEquals("%RETRY%" + NS + "%g", Namespaces.retryTopic(NS, "g"));
        assertEquals("%DLQ%" + NS + "%g", Namespaces.deadLetterTopic(NS, "g"));
        assertTrue(Namespaces.belongsTo("%DLQ%" + NS + "%g", NS));
        assertTrue(!Namespaces.belongsTo("rmq-zzzzzzzzzzzz%orders", NS));
    }

    @Test
    void instanceIdsHaveTheDocumentedForm() {
        for (int i = 0; i < 100; i++) {
            assertTrue(InstanceIds.isWellFormed(InstanceIds.newId()));
        }
        assertTrue(!InstanceIds.isWellFormed("rmq-ABCDEFGHIJKL"));
    }
}
