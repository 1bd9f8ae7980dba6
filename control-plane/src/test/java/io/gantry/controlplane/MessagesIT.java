package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.awaitStatus;
import static io.gantry.controlplane.Fixtures.operatorToken;
import static io.gantry.controlplane.Fixtures.viewerToken;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.agroal.api.AgroalDataSource;
import io.gantry.api.trace.v1.MessageType;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.gantry.trace.store.EventWriter;
import io.gantry.trace.store.TraceSchema;
import io.quarkus.agroal.DataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The messages API over a real trace store (the trace service's schema, filled through its own
 * event writer, as its ingest does) and a real broker (bodies are read from RocketMQ).
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessagesIT {
    private static final AtomicLong SEQUENCE = new AtomicLong();

    @Inject
    @DataSource("trace")
    AgroalDataSource traceDataSource;

    private String tenantA;
    private String tenantB;
    private String instanceA;
    private String instanceB;
    private String stored;      // on the broker, with a full life
    private String large;       // over the API's body limit
    private String gone;        // traced, but no broker holds it
    private Instant sentAt;

    /** Once per class (RestAssured knows the app's port only from the first test on). */
    @BeforeEach
    void twoTenantsAndTracedMessages() throws Exception {
        if (stored != null) {
            return;
        }
        tenantA = Fixtures.newTenant();
        tenantB = Fixtures.newTenant();
        instanceA = Fixtures.createInstance(tenantA, "test");
        instanceB = Fixtures.createInstance(tenantB, "test");
        for (String[] ti : new String[][] {{tenantA, instanceA}, {tenantB, instanceB}}) {
            String token = adminToken(ti[0]);
            String path = "/api/v1/instances/" + ti[1];
            as(token).body(Map.of("messageType", "NORMAL")).post(path + "/topics/orders").then().statusCode(202);
            for (String group : List.of("billing", "audit", "doomed")) {
                as(token).body(Map.of()).post(path + "/consumer-groups/" + group).then().statusCode(202);
            }
        }
        String tokenA = adminToken(tenantA);
        String namespace = awaitStatus(tokenA, "/api/v1/instances/" + instanceA, "RUNNING").getString("namespace");
        awaitStatus(tokenA, "/api/v1/instances/" + instanceA + "/topics/orders", "RUNNING");

        TraceSchema.migrate(traceDataSource);
        SendResult sent = sendToBroker(namespace + "%orders", "hello, trace");
        stored = sent.getMsgId();
        large = "LARGE" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
        gone = "GONE" + UUID.randomUUID().toString().replace("-", "").toUpperCase();
        sentAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long t = sentAt.toEpochMilli();
        List<TraceEvent> events = new ArrayList<>();
        events.add(send(instanceA, stored, t, 12).putProperties("origin", "it").build());
        events.add(event(TraceEventType.STORE, instanceA, stored, t + 3).setStatus("OK")
                .setQueueId(sent.getMessageQueue().getQueueId()).setQueueOffset(sent.getQueueOffset())
                .setLatencyMicros(2_500).build());
        events.add(consumer(TraceEventType.DELIVER, instanceA, stored, t + 10, "billing", 1).build());
        events.add(consumer(TraceEventType.ACK, instanceA, stored, t + 15, "billing", 0).build());
        events.add(consumer(TraceEventType.DELIVER, instanceA, stored, t + 20, "audit", 1).build());
        events.add(consumer(TraceEventType.NACK, instanceA, stored, t + 25, "audit", 0).build());
        events.add(consumer(TraceEventType.DELIVER, instanceA, stored, t + 1025, "audit", 2).build());
        events.add(consumer(TraceEventType.DELIVER, instanceA, stored, t + 30, "doomed", 1).build());
        // as the trace service records a message it finds in %DLQ%: no topic of its own
        events.add(consumer(TraceEventType.DLQ, instanceA, stored, t + 2030, "doomed", 0).setDlqSource("BROKER")
                .clearTopic().build());
        events.add(send(instanceA, large, t + 40, 100 * 1024).build());
        events.add(event(TraceEventType.STORE, instanceA, large, t + 42).setStatus("OK").build());
        events.add(send(instanceA, gone, t + 50, 5).build());
        events.add(event(TraceEventType.STORE, instanceA, gone, t + 52).setStatus("OK").build());
        try (Connection c = traceDataSource.getConnection()) {
            new EventWriter(Clock.systemUTC()).write(c, events, List.of());
        }
    }

    private String path(String instance, String rest) {
        return "/api/v1/instances/" + instance + rest;
    }

    @Test
    void aMessageByIdShowsItsPropertiesWhereItWasStoredAndItsBodyFromTheBroker() {
        JsonPath m = as(viewerToken(tenantA)).get(path(instanceA, "/messages/" + stored))
                .then().statusCode(200).extract().jsonPath();
        assertEquals(stored, m.getString("messageId"));
        assertEquals("orders", m.getString("topic"));
        assertEquals("created", m.getString("tag"));
        assertEquals(List.of("order-1"), m.getList("keys"));
        assertEquals("NORMAL", m.getString("messageType"));
        assertEquals("it", m.getString("properties.origin"));
        assertEquals("broker", m.getString("properties.sentBy"), "the broker's copy adds its complete user properties");
        assertEquals("OK", m.getString("store.status"));
        assertEquals(2500L, m.getLong("store.latencyMicros"));
        assertNotNull(m.get("store.queueOffset"));
        assertEquals("producer-1", m.getString("systemProperties.producerClientId"));
        assertEquals("app", m.getString("systemProperties.account"));
        assertEquals(12, m.getInt("body.size"));
        assertEquals("base64", m.getString("body.encoding"));
        assertEquals("hello, trace", new String(Base64.getDecoder().decode(m.getString("body.data")), StandardCharsets.UTF_8));
        assertNull(m.get("body.omittedReason"));
        assertEquals(false, m.getBoolean("archived"));
    }

    @Test
    void aBodyOverTheLimitOrNoLongerOnTheBrokerIsOmittedWithTheReason() {
        as(adminToken(tenantA)).get(path(instanceA, "/messages/" + large)).then().statusCode(200)
                .body("body.size", equalTo(100 * 1024)).body("body.data", nullValue())
                .body("body.omittedReason", equalTo("TOO_LARGE"));
        as(adminToken(tenantA)).get(path(instanceA, "/messages/" + gone)).then().statusCode(200)
                .body("body.data", nullValue()).body("body.omittedReason", equalTo("NOT_ON_BROKER"));
    }

    @Test
    void messagesAreFoundByKeyAndByTopicAndTimePagedNewestFirst() {
        String a = adminToken(tenantA);
        as(a).get(path(instanceA, "/messages?key=order-1")).then().statusCode(200)
                .body("items.messageId", contains(stored)).body("nextPageToken", nullValue());
        String from = sentAt.minusSeconds(60).toString();
        String to = sentAt.plusSeconds(60).toString();
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            JsonPath page = as(a).get(path(instanceA, "/messages?topic=orders&from=" + from + "&to=" + to + "&pageSize=2"
                    + (token == null ? "" : "&pageToken=" + token))).then().statusCode(200).extract().jsonPath();
            seen.addAll(page.getList("items.messageId", String.class));
            token = page.getString("nextPageToken");
        } while (token != null);
        assertEquals(List.of(gone, large, stored), seen, "newest first, each once across pages");
        as(a).get(path(instanceA, "/messages?topic=orders&from=" + sentAt.plusSeconds(60) + "&to=" + sentAt.plusSeconds(120)))
                .then().statusCode(200).body("items", empty());
    }

    @Test
    void theLifecycleListsEveryHopInOrderWithTimesAndWhereEachGroupStands() {
        JsonPath l = as(adminToken(tenantA)).get(path(instanceA, "/messages/" + stored + "/lifecycle"))
                .then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("SEND", "STORE", "DELIVER", "ACK", "DELIVER", "NACK", "DELIVER", "DELIVER", "DLQ"),
                l.getList("hops.type"));
        assertNull(l.get("hops[0].sincePreviousMillis"));
        assertEquals(3, l.getInt("hops[1].sincePreviousMillis"));
        assertEquals(sentAt.toString(), Instant.parse(l.getString("hops[0].at")).toString());
        assertEquals("doomed", l.getString("hops[6].consumerGroup"));
        assertEquals("audit", l.getString("hops[7].consumerGroup"));
        assertEquals(2, l.getInt("hops[7].deliveryAttempt"));
        assertEquals(995, l.getInt("hops[7].sincePreviousMillis"));
        assertEquals("BROKER", l.getString("hops[8].deadLetterSource"));
        Map<String, String> states = new java.util.HashMap<>();
        for (Map<String, Object> g : l.<Map<String, Object>>getList("consumerGroups")) {
            states.put((String) g.get("consumerGroup"), (String) g.get("state"));
        }
        assertEquals(Map.of("billing", "CONSUMED", "audit", "RETRYING", "doomed", "DEAD_LETTERED"), states);
    }

    @Test
    void deadLettersOfAGroupArePaged() {
        String a = adminToken(tenantA);
        as(a).get(path(instanceA, "/consumer-groups/doomed/dead-letters")).then().statusCode(200)
                .body("items.messageId", contains(stored)).body("items[0].source", equalTo("BROKER"))
                .body("items[0].consumerGroup", equalTo("doomed")).body("items[0].topic", equalTo("orders"));
        as(a).get(path(instanceA, "/consumer-groups/billing/dead-letters")).then().statusCode(200).body("items", empty());
        as(a).get(path(instanceA, "/consumer-groups/nosuchgroup/dead-letters")).then().statusCode(404)
                .body("error.code", equalTo("NOT_FOUND"));
    }

    @Test
    void anotherTenantGets404OnEveryPathAndItsOwnInstanceWithTheSameNamesSeesNothing() {
        String b = adminToken(tenantB);
        String missing = as(b).get("/api/v1/instances/rmq-aaaaaaaaaaaa/messages/" + stored).then().statusCode(404)
                .extract().path("error.code");
        assertEquals("NOT_FOUND", missing);
        for (String p : List.of("/messages/" + stored, "/messages/" + stored + "/lifecycle", "/messages?key=order-1",
                "/messages?topic=orders", "/consumer-groups/doomed/dead-letters")) {
            as(b).get(path(instanceA, p)).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"))
                    .body("error.message", equalTo("instance '" + instanceA + "' not found"));
        }
        as(b).get(path(instanceB, "/messages/" + stored)).then().statusCode(404).body("error.code", equalTo("NOT_FOUND"));
        as(b).get(path(instanceB, "/messages/" + stored + "/lifecycle")).then().statusCode(404);
        as(b).get(path(instanceB, "/messages?key=order-1")).then().statusCode(200).body("items", empty());
        as(b).get(path(instanceB, "/messages?topic=orders&from=" + sentAt.minusSeconds(60) + "&to=" + sentAt.plusSeconds(60)))
                .then().statusCode(200).body("items", empty());
        as(b).get(path(instanceB, "/consumer-groups/doomed/dead-letters")).then().statusCode(200).body("items", empty());
    }

    @Test
    void aPlatformOperatorMayReadAnyInstancesMessages() {
        as(operatorToken()).get(path(instanceA, "/messages/" + stored + "/lifecycle")).then().statusCode(200)
                .body("messageId", equalTo(stored));
        as(operatorToken()).get(path(instanceA, "/consumer-groups/doomed/dead-letters")).then().statusCode(200)
                .body("items.messageId", hasItem(stored));
    }

    @Test
    void anUnknownMessageIs404NamingItAndTheInstance() {
        as(adminToken(tenantA)).get(path(instanceA, "/messages/01ABCDEF0123456789")).then().statusCode(404)
                .body("error.code", equalTo("NOT_FOUND"))
                .body("error.message", org.hamcrest.Matchers.containsString("'01ABCDEF0123456789'"))
                .body("error.message", org.hamcrest.Matchers.containsString("'" + instanceA + "'"));
    }

    @Test
    void badSearchesAre400NamingTheField() {
        String a = adminToken(tenantA);
        Map<String, String> fieldByQuery = new java.util.LinkedHashMap<>();
        fieldByQuery.put("", "key");
        fieldByQuery.put("?key=k&topic=orders", "topic");
        fieldByQuery.put("?key=k&from=2026-01-01T00:00:00Z", "from");
        fieldByQuery.put("?topic=orders&from=yesterday", "from");
        fieldByQuery.put("?topic=orders&to=2026-13-01T00:00:00Z", "to");
        fieldByQuery.put("?topic=orders&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from");
        fieldByQuery.put("?topic=orders&from=2026-01-01T00:00:00Z&to=2026-01-09T00:00:00Z", "from");
        fieldByQuery.put("?topic=orders&pageSize=0", "pageSize");
        fieldByQuery.put("?key=" + "k".repeat(129), "key");
        // Dates the trace store cannot hold were answered 503 as if the store were down.
        fieldByQuery.put("?topic=orders&from=9999-12-30T00:00:00Z&to=9999-12-31T00:00:00Z", "to");
        fieldByQuery.put("?topic=orders&from=0001-01-01T00:00:00Z&to=0001-01-02T00:00:00Z", "to");
        fieldByQuery.put("?topic=orders&from=1000-01-01T00:00:00Z", "from");
        for (var e : fieldByQuery.entrySet()) {
            as(a).get(path(instanceA, "/messages" + e.getKey())).then().statusCode(400)
                    .body("error.code", equalTo("INVALID_FIELD")).body("error.field", equalTo(e.getValue()));
        }
        as(a).get(path(instanceA, "/messages/not%21an%21id")).then().statusCode(400)
                .body("error.field", equalTo("messageId"));
        as(a).get(path(instanceA, "/messages?key=order-1&pageToken=forged")).then().statusCode(400)
                .body("error.code", equalTo("INVALID_PAGE_TOKEN"));
        // an offset with an unescaped '+' is accepted
        as(a).get(path(instanceA, "/messages?topic=orders&from=2026-01-01T00:00:00+01:00&to=2026-01-01T10:00:00+01:00"))
                .then().statusCode(200);
    }

    @Test
    void aTokenWithoutATenantIsRefused() {
        String noTenant = SharedComponents.oidc().token("nobody", null, "tenant-viewer");
        as(noTenant).get(path(instanceA, "/messages?key=order-1")).then().statusCode(403)
                .body("error.code", equalTo("FORBIDDEN"));
        Set<String> ids = new HashSet<>(as(adminToken(tenantA)).get(path(instanceA, "/messages?key=order-1"))
                .then().extract().jsonPath().getList("items.messageId", String.class));
        assertEquals(Set.of(stored), ids);
        assertEquals(List.of(), as(adminToken(tenantA)).get(path(instanceA, "/messages?key=nobody-used-this"))
                .then().statusCode(200).extract().jsonPath().getList("items"));
        as(adminToken(tenantA)).get(path(instanceA, "/messages?key=order-1")).then().body("items.messageId", not(hasItem(large)));
    }

    private static SendResult sendToBroker(String brokerTopic, String body) throws Exception {
        RocketMqCluster mq = SharedComponents.rocketMq();
        DefaultMQProducer producer = new DefaultMQProducer("gantry-messages-it",
                new AclClientRPCHook(new SessionCredentials(mq.adminAccessKey(), mq.adminSecretKey())));
        producer.setNamesrvAddr(mq.nameServerAddress());
        producer.setInstanceName("messages-it-" + System.nanoTime());
        producer.start();
        try {
            Message m = new Message(brokerTopic, "created", "order-1", body.getBytes(StandardCharsets.UTF_8));
            m.putUserProperty("sentBy", "broker");
            return producer.send(m);
        } finally {
            producer.shutdown();
        }
    }

    private static TraceEvent.Builder event(TraceEventType type, String instance, String messageId, long at) {
        return TraceEvent.newBuilder().setEventId("it:" + SEQUENCE.incrementAndGet() + ":" + UUID.randomUUID())
                .setType(type).setTimestampMillis(at).setInstanceId(instance).setTopic("orders").setMessageId(messageId)
                .setAccount("app");
    }

    private static TraceEvent.Builder send(String instance, String messageId, long at, int bodySize) {
        return event(TraceEventType.SEND, instance, messageId, at).setTag("created").addKeys(keyFor(messageId))
                .setMessageType(MessageType.NORMAL).setBodySize(bodySize).setBornTimestampMillis(at - 1)
                .setProducerClientId("producer-1");
    }

    private static String keyFor(String messageId) {
        return messageId.startsWith("LARGE") || messageId.startsWith("GONE") ? "other-key" : "order-1";
    }

    private static TraceEvent.Builder consumer(TraceEventType type, String instance, String messageId, long at,
                                               String group, int attempt) {
        TraceEvent.Builder b = event(type, instance, messageId, at).setConsumerGroup(group)
                .setConsumerClientId("consumer-" + group);
        if (attempt > 0) {
            b.setDeliveryAttempt(attempt).setInvisibleUntilMillis(at + 30_000);
        }
        return b;
    }
}
