package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.sdktests.support.Await;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.MessagesApi;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.Tenant;
import io.gantry.sdktests.support.TenantInstance;
import io.gantry.sdktests.support.TraceService;
import io.restassured.response.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Nothing lost: the trace service is killed (SIGKILL, mid-batch for all it knows) for a minute while a
 * producer keeps sending and a consumer keeps consuming; once it runs again, every message's whole life
 * is in the API, each hop once.
 */
@ExtendWith(GantryExtension.class)
class TraceOutageIT {

    private static final int PER_SECOND = 20;
    private static final Duration BEFORE_OUTAGE = Duration.ofSeconds(5);
    private static final Duration OUTAGE = Duration.ofSeconds(60);
    private static final Duration AFTER_OUTAGE = Duration.ofSeconds(5);
    /** From the restart to every message's lifecycle being complete in the API. */
    private static final Duration CATCH_UP = Duration.ofSeconds(120);

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void aMinuteWithoutTheTraceServiceLosesNoHopAndDuplicatesNone(GantryStack stack) throws Exception {
        Tenant tenant = stack.newTenant();
        TenantInstance instance = tenant.createInstance().createTopic("ticks", "NORMAL").createGroup("tick-readers")
                .awaitRunning().awaitServed("ticks");
        TraceService trace = stack.traceService();
        Map<String, String> sent = new ConcurrentHashMap<>();       // message id -> body
        Set<String> consumed = ConcurrentHashMap.newKeySet();      // message ids
        AtomicBoolean sending = new AtomicBoolean(true);
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Instant start = Instant.now();
        long outageStarted;
        long restartedAt;
        try (PushConsumer consumer = Sdk.pushConsumer(instance.clientConfiguration(), "tick-readers", "ticks", view -> {
                    consumed.add(view.getMessageId().toString());
                    return ConsumeResult.SUCCESS;
                });
                Producer producer = Sdk.producer(instance.clientConfiguration(), "ticks")) {
            Thread sender = new Thread(() -> {
                long next = System.nanoTime();
                int n = 0;
                while (sending.get()) {
                    String body = "tick-" + n++;
                    try {
                        sent.put(producer.send(Sdk.message("ticks", body, null, null)).getMessageId().toString(), body);
                    } catch (Exception e) {
                        producerFailure.compareAndSet(null, e);
                    }
                    next += 1_000_000_000L / PER_SECOND;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
            }, "trace-outage-producer");
            sender.start();
            try {
                Await.condition("the first messages to be consumed", Duration.ofSeconds(30), () -> consumed.size() >= 20);
                waitFor(BEFORE_OUTAGE);
                trace.kill();
                outageStarted = System.nanoTime();
                int sentBefore = sent.size();
                waitFor(OUTAGE);
                GantryStack.log("outage: " + (sent.size() - sentBefore) + " messages sent while the trace service was down");
                trace.start();
                restartedAt = System.nanoTime();
                waitFor(AFTER_OUTAGE);
            } finally {
                sending.set(false);
                sender.join(30_000);
            }
            assertEquals(null, producerFailure.get(), "every send succeeded");
            Await.condition("the consumer to consume all " + sent.size() + " (has " + consumed.size() + ")",
                    Duration.ofSeconds(60), () -> consumed.containsAll(sent.keySet()));
        }
        Instant end = Instant.now();
        GantryStack.log(sent.size() + " messages sent and consumed, outage of "
                + Duration.ofNanos(restartedAt - outageStarted).toSeconds() + " s");
        MessagesApi api = new MessagesApi(stack, stack.adminToken(tenant.id()), instance.id());

        // every message is listed (by topic and time), each once
        List<String> listed = Await.until("all " + sent.size() + " messages to be listed by topic", CATCH_UP, () -> {
            List<String> ids = api.idsByTopic("ticks", start.minusSeconds(5), end.plusSeconds(5));
            return ids.size() >= sent.size() ? ids : null;
        });
        assertEquals(sent.size(), listed.size(), "each message listed once");
        assertEquals(sent.keySet(), new HashSet<>(listed));

        // and each one's life is complete: SEND, STORE, DELIVER, ACK, each hop once
        Set<String> pending = ConcurrentHashMap.newKeySet();
        pending.addAll(sent.keySet());
        Map<String, String> lastProblem = new ConcurrentHashMap<>();
        long checkStarted = System.nanoTime();
        Await.condition("every lifecycle to be complete", CATCH_UP, () -> {
                    for (String id : new ArrayList<>(pending)) {
                        Response r = api.lifecycle(id);
                        String problem = r.statusCode() != 200 ? "HTTP " + r.statusCode() : incomplete(r.jsonPath().getList("hops"));
                        if (problem == null) {
                            pending.remove(id);
                        } else {
                            lastProblem.clear();
                            lastProblem.put(id, problem);
                        }
                    }
                    if (!pending.isEmpty()) {
                        throw new AssertionError(pending.size() + " incomplete, e.g. " + lastProblem);
                    }
                    return true;
                });
        GantryStack.log("all " + sent.size() + " lifecycles complete; checked in "
                + Duration.ofNanos(System.nanoTime() - checkStarted).toMillis() + " ms after the listing; "
                + Duration.ofNanos(System.nanoTime() - restartedAt).toSeconds() + " s after the restart");
        assertTrue(pending.isEmpty());
    }

    /** Null when the hops are SEND, STORE, DELIVER (attempts 1..n, each once), ACK — each once; else what is wrong. */
    private static String incomplete(List<Map<String, Object>> hops) {
        int send = 0;
        int store = 0;
        int ack = 0;
        List<Object> attempts = new ArrayList<>();
        for (Map<String, Object> h : hops) {
            switch ((String) h.get("type")) {
                case "SEND" -> send++;
                case "STORE" -> store++;
                case "ACK" -> ack++;
                case "DELIVER" -> attempts.add(h.get("deliveryAttempt"));
                default -> {
                    // NACK and others are not expected from a consumer that always succeeds, but not a loss either
                }
            }
        }
        if (send == 1 && store == 1 && ack == 1 && !attempts.isEmpty() && attempts.size() == new HashSet<>(attempts).size()) {
            return null;
        }
        return "SEND×" + send + " STORE×" + store + " DELIVER attempts " + attempts + " ACK×" + ack;
    }

    /** The outage is the scenario's duration, not a wait for something to happen. */
    private static void waitFor(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis());
    }
}
