package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.sdktests.support.Await;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.MessagesApi;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.Tenant;
import io.gantry.sdktests.support.TenantInstance;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What a tenant sees of a message's life through the messages API after sending and consuming it with
 * the official SDK through the gateway: the gateway captured every hop, the trace service indexed it,
 * the control plane answers for the tenant's own instance only.
 */
@ExtendWith(GantryExtension.class)
class TraceLifecycleIT {

    private static final Duration DELIVERY = Duration.ofSeconds(60);
    /** From the last hop to the API showing it: gateway batch, trace topic, ingest. */
    private static final Duration INDEXED = Duration.ofSeconds(60);
    /**
     * A group's first dead letter: the broker creates its %DLQ% topic then, registers it with the NameServer
     * on its next registration (up to 30 s) and the trace service's watcher looks again for an absent topic
     * once per route refresh (30 s).
     */
    private static final Duration FIRST_DEAD_LETTER_INDEXED = Duration.ofSeconds(120);

    private static GantryStack stack;
    private static Tenant acme;
    private static TenantInstance shop;
    private static Tenant globex;
    private static TenantInstance rival;

    @BeforeAll
    static void instances(GantryStack gantry) {
        stack = gantry;
        acme = gantry.newTenant();
        globex = gantry.newTenant();
        shop = acme.createInstance();
        rival = globex.createInstance();
        for (TenantInstance instance : List.of(shop, rival)) {
            // the same names in both instances: the trace must still keep them apart
            instance.createTopic("orders", "NORMAL")
                    .createGroup("billing")
                    .createGroup("audit", false, null, 1)       // FIXED 1 s: quick retries
                    .createGroup("doomed", false, 1, 1);        // one retry, then the dead-letter queue
        }
        for (TenantInstance instance : List.of(shop, rival)) {
            instance.awaitRunning().awaitServed("orders");
        }
    }

    @Test
    void aMessageConsumedByOneGroupRetriedByAnotherAndDeadLetteredByAThirdShowsItsWholeLife() throws Exception {
        String body = "order 42 placed " + System.nanoTime();
        String key = "order-42-" + System.nanoTime();
        Map<Integer, String> auditAttempts = new ConcurrentHashMap<>();
        List<Integer> doomedAttempts = new CopyOnWriteArrayList<>();
        String messageId;
        Instant before = Instant.now();
        try (SimpleConsumer billing = Sdk.simpleConsumer(shop.clientConfiguration(), "billing", "orders");
                PushConsumer audit = Sdk.pushConsumer(shop.clientConfiguration(), "audit", "orders", view -> {
                    if (!Sdk.body(view).equals(body)) {
                        return ConsumeResult.SUCCESS;
                    }
                    auditAttempts.put(view.getDeliveryAttempt(), view.getMessageId().toString());
                    // fails twice, then succeeds
                    return view.getDeliveryAttempt() < 3 ? ConsumeResult.FAILURE : ConsumeResult.SUCCESS;
                });
                PushConsumer doomed = Sdk.pushConsumer(shop.clientConfiguration(), "doomed", "orders", view -> {
                    if (Sdk.body(view).equals(body)) {
                        doomedAttempts.add(view.getDeliveryAttempt());
                    }
                    return ConsumeResult.FAILURE;
                });
                Producer producer = Sdk.producer(shop.clientConfiguration(), "orders")) {
            messageId = producer.send(Sdk.messageBuilder("orders", body).setKeys(key).setTag("created")
                    .addProperty("origin", "trace-it").build()).getMessageId().toString();
            Sdk.receiveUntil(billing, true, DELIVERY, views -> views.stream().anyMatch(v -> Sdk.body(v).equals(body)));
            Await.condition("audit to take the message three times (so far " + auditAttempts.keySet() + ")", DELIVERY,
                    () -> auditAttempts.containsKey(3));
            Await.condition("doomed to fail twice (so far " + doomedAttempts + ")", DELIVERY,
                    () -> doomedAttempts.size() >= 2);
        }
        Instant after = Instant.now();
        MessagesApi api = new MessagesApi(stack, stack.adminToken(acme.id()), shop.id());

        JsonPath lifecycle = Await.until("the lifecycle of " + messageId + " to show every group done",
                FIRST_DEAD_LETTER_INDEXED, () -> {
            Response r = api.lifecycle(messageId);
            if (r.statusCode() != 200) {
                throw new AssertionError("HTTP " + r.statusCode() + ": " + r.asString());
            }
            JsonPath json = r.jsonPath();
            Map<String, String> states = states(json);
            if ("CONSUMED".equals(states.get("billing")) && "CONSUMED".equals(states.get("audit"))
                    && "DEAD_LETTERED".equals(states.get("doomed"))) {
                return json;
            }
            // the failure names what was missing: the last states seen
            throw new AssertionError("group states " + states);
        });
        List<Map<String, Object>> hops = lifecycle.getList("hops");
        GantryStack.log("lifecycle of " + messageId + ": " + describe(hops));

        assertEquals("SEND", hops.get(0).get("type"), "the life starts with the send");
        assertEquals("STORE", hops.get(1).get("type"), "then the broker's answer");
        assertNull(hops.get(0).get("sincePreviousMillis"));
        for (int i = 1; i < hops.size(); i++) {
            Instant previous = Instant.parse((String) hops.get(i - 1).get("at"));
            Instant at = Instant.parse((String) hops.get(i).get("at"));
            assertFalse(at.isBefore(previous), "hops in time order: " + describe(hops));
            assertEquals(Duration.between(previous, at).toMillis(), ((Number) hops.get(i).get("sincePreviousMillis")).longValue(),
                    "time since the previous hop, hop " + i);
        }
        assertEquals(List.of("DELIVER 1", "ACK"), ofGroup(hops, "billing"));
        assertEquals(List.of("DELIVER 1", "NACK", "DELIVER 2", "NACK", "DELIVER 3", "ACK"), ofGroup(hops, "audit"));
        List<String> doomedHops = ofGroup(hops, "doomed");
        assertEquals(List.of("DELIVER 1", "NACK", "DELIVER 2"), doomedHops.subList(0, 3), "doomed: " + doomedHops);
        // the SDK gives the last attempt back too (a NACK); the broker then moves it to %DLQ%
        List<String> end = doomedHops.subList(3, doomedHops.size());
        assertTrue(!end.isEmpty() && "DLQ".equals(end.get(end.size() - 1))
                && end.stream().allMatch(h -> h.equals("NACK") || h.equals("DLQ")),
                "doomed ends in the dead-letter queue: " + doomedHops);

        Map<String, Map<String, Object>> groups = new LinkedHashMap<>();
        for (Map<String, Object> g : lifecycle.<Map<String, Object>>getList("consumerGroups")) {
            groups.put((String) g.get("consumerGroup"), g);
        }
        assertEquals(1, groups.get("billing").get("deliveries"));
        assertEquals(3, groups.get("audit").get("deliveries"));
        assertEquals(2, groups.get("doomed").get("deliveries"));

        // the message itself: properties, where it was stored, the body read back from the broker
        JsonPath message = api.as(stack.viewerToken(acme.id())).message(messageId).then().statusCode(200).extract().jsonPath();
        assertEquals("orders", message.getString("topic"));
        assertEquals("created", message.getString("tag"));
        assertEquals(List.of(key), message.getList("keys"));
        assertEquals("trace-it", message.getString("properties.origin"));
        assertEquals("NORMAL", message.getString("messageType"));
        assertEquals("OK", message.getString("store.status"));
        assertEquals(body.length(), message.getInt("body.size"));
        assertEquals(body, new String(Base64.getDecoder().decode(message.getString("body.data")), StandardCharsets.UTF_8));

        assertEquals(List.of(messageId), api.idsByKey(key), "found by its key");
        assertTrue(api.idsByTopic("orders", before.minusSeconds(5), after.plusSeconds(5)).contains(messageId),
                "found by topic and time");
        List<Map<String, Object>> dead = api.all("/consumer-groups/doomed/dead-letters", 20).stream()
                .filter(d -> messageId.equals(d.get("messageId"))).toList();
        assertEquals(1, dead.size(), "listed once among doomed's dead letters");
        assertEquals("orders", dead.get(0).get("topic"));
        assertEquals(List.of(key), dead.get(0).get("keys"));
        assertFalse(api.all("/consumer-groups/billing/dead-letters", 20).stream()
                .anyMatch(d -> messageId.equals(d.get("messageId"))), "billing consumed it: not a dead letter there");
    }

    @Test
    void anotherTenantFindsNothingOfTheMessageAndTheOtherInstanceWithTheSameTopicNeverSeesIt() throws Exception {
        String key = "iso-" + System.nanoTime();
        Instant before = Instant.now();
        String mine;
        String theirs;
        try (Producer producer = Sdk.producer(shop.clientConfiguration(), "orders");
                Producer rivalProducer = Sdk.producer(rival.clientConfiguration(), "orders")) {
            mine = producer.send(Sdk.message("orders", "acme's", key, "created")).getMessageId().toString();
            theirs = rivalProducer.send(Sdk.message("orders", "globex's", key, "created")).getMessageId().toString();
        }
        Instant after = Instant.now();
        MessagesApi acmeApi = new MessagesApi(stack, stack.adminToken(acme.id()), shop.id());
        MessagesApi globexApi = new MessagesApi(stack, stack.adminToken(globex.id()), rival.id());
        Await.condition("both messages to be indexed", INDEXED,
                () -> acmeApi.message(mine).statusCode() == 200 && globexApi.message(theirs).statusCode() == 200);

        // globex's token on acme's instance: every path 404, exactly as an instance that does not exist
        MessagesApi intruder = acmeApi.as(stack.adminToken(globex.id()));
        String missingInstance = stack.as(stack.adminToken(globex.id()))
                .get("/api/v1/instances/rmq-aaaaaaaaaaaa/messages/" + mine).asString()
                .replace("rmq-aaaaaaaaaaaa", shop.id());
        for (String path : List.of("/messages/" + mine, "/messages/" + mine + "/lifecycle", "/messages?key=" + key,
                "/messages?topic=orders", "/consumer-groups/doomed/dead-letters")) {
            Response r = intruder.get(path);
            assertEquals(404, r.statusCode(), path + ": " + r.asString());
            assertEquals(missingInstance, r.asString(), path + " answers like a missing instance");
        }
        // globex's own instance, the same topic and key: only its own message
        assertEquals(404, globexApi.message(mine).statusCode());
        assertEquals(404, globexApi.lifecycle(mine).statusCode());
        assertEquals(List.of(theirs), globexApi.idsByKey(key));
        List<String> rivalOrders = globexApi.idsByTopic("orders", before.minusSeconds(5), after.plusSeconds(5));
        assertTrue(rivalOrders.contains(theirs) && !rivalOrders.contains(mine), "globex's orders: " + rivalOrders);
        assertEquals(List.of(mine), acmeApi.idsByKey(key));
        // and the operator, who investigates for tenants, reads either
        assertEquals(200, acmeApi.as(stack.operatorToken()).lifecycle(mine).statusCode());
    }

    private static Map<String, String> states(JsonPath lifecycle) {
        Map<String, String> states = new LinkedHashMap<>();
        for (Map<String, Object> g : lifecycle.<Map<String, Object>>getList("consumerGroups")) {
            states.put((String) g.get("consumerGroup"), (String) g.get("state"));
        }
        return states;
    }

    /** The group's hops as "DELIVER n" / "ACK" / "NACK" / "DLQ". */
    private static List<String> ofGroup(List<Map<String, Object>> hops, String group) {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> h : hops) {
            if (group.equals(h.get("consumerGroup"))) {
                out.add("DELIVER".equals(h.get("type")) ? "DELIVER " + h.get("deliveryAttempt") : (String) h.get("type"));
            }
        }
        return out;
    }

    private static String describe(List<Map<String, Object>> hops) {
        StringBuilder s = new StringBuilder();
        for (Map<String, Object> h : hops) {
            s.append("\n  ").append(h.get("at")).append(" +").append(h.get("sincePreviousMillis")).append(" ms ")
                    .append(h.get("type"));
            if (h.get("consumerGroup") != null) {
                s.append(' ').append(h.get("consumerGroup")).append(" attempt=").append(h.get("deliveryAttempt"));
            }
        }
        return s.toString();
    }
}
