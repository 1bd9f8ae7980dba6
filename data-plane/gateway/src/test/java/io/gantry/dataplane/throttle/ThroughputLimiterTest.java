package io.gantry.dataplane.throttle;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import io.gantry.api.config.v1.ConsumerGroup;
import io.gantry.api.config.v1.Grant;
import io.gantry.api.config.v1.LimitKey;
import io.gantry.api.config.v1.LimitKind;
import io.gantry.api.config.v1.LimitUsage;
import io.gantry.api.config.v1.MessageType;
import io.gantry.api.config.v1.TemporaryThrottle;
import io.gantry.api.config.v1.Throughput;
import io.gantry.api.config.v1.ThroughputGrants;
import io.gantry.api.config.v1.Topic;
import io.gantry.api.config.v1.UsageReport;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.dataplane.support.Snapshots;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThroughputLimiterTest {
    private static final long T0 = 1_000_000_000L;
    private static final String PRODUCER = ThroughputLimiter.sender("ak", "client-1");
    private final AtomicLong nanos = new AtomicLong(T0);
    private final ThroughputLimiter limiter = new ThroughputLimiter(nanos::get);
    private int ids;

    private ConfigView view(int sendTps, int receiveTps, TemporaryThrottle temporary) {
        Throughput.Builder t = Throughput.newBuilder().setSendTps(sendTps).setReceiveTps(receiveTps).setBurstSeconds(0.2)
                .putMessageTypeWeights("NORMAL", 1).putMessageTypeWeights("TRANSACTION", 3);
        if (temporary != null) {
            t.setTemporaryThrottle(temporary);
        }
        return ConfigView.of(Snapshots.snapshot(1, Snapshots.cluster("c1", "127.0.0.1:1", "ak", "sk"),
                Snapshots.instance("i1", "c1").setMaxMessageSizeKib(64).setThroughput(t)
                        .addTopics(Topic.newBuilder().setName("orders").setMessageType(MessageType.MESSAGE_TYPE_NORMAL))
                        .addTopics(Topic.newBuilder().setName("payments").setMessageType(MessageType.MESSAGE_TYPE_TRANSACTION))
                        .addTopics(Topic.newBuilder().setName("capped").setMessageType(MessageType.MESSAGE_TYPE_NORMAL).setMaxSendTps(10))
                        .addConsumerGroups(ConsumerGroup.newBuilder().setName("slow").setMaxReceiveTps(5))
                        .addConsumerGroups(ConsumerGroup.newBuilder().setName("workers"))
                        .build()));
    }

    private static InstanceEntry instance(ConfigView view) {
        return view.instance("i1");
    }

    private SendMessageRequest send(String topic, int bodyBytes) {
        return send(topic, "id-" + (ids++), bodyBytes);
    }

    private static SendMessageRequest send(String topic, String messageId, int bodyBytes) {
        return SendMessageRequest.newBuilder().addMessages(Message.newBuilder()
                .setTopic(Resource.newBuilder().setName(topic))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId(messageId))
                .setBody(ByteString.copyFrom(new byte[bodyBytes]))).build();
    }

    /** Like the SDK: one producer (account and client id) sends. */
    private void admitSend(InstanceEntry i, SendMessageRequest request) {
        limiter.admitSend(i, PRODUCER, request);
    }

    private int admitted(InstanceEntry i, String topic, int bodyBytes, int attempts) {
        int ok = 0;
        for (int n = 0; n < attempts; n++) {
            try {
                admitSend(i, send(topic, bodyBytes));
                ok++;
            } catch (Refusal r) {
                assertEquals(Code.TOO_MANY_REQUESTS, r.code());
            }
        }
        return ok;
    }

    @Test
    void sendsPastTheRateAndBurstAreRefusedWithTooManyRequests() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        // a full bucket holds 0.2 s of the rate: 20 small messages, then nothing until tokens come back
        assertEquals(20, admitted(instance(v), "orders", 100, 50));
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        // 10 units came back, all of them booked by refused sends for their retries (up to 0.3 s of the rate)
        assertEquals(0, admitted(instance(v), "orders", 100, 10));
    }

    @Test
    void aMessageWeighsItsStartedFourKibUnitsTimesItsTypeWeight() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        // 20 tokens: one 4097-byte transaction message costs 2 units x 3 = 6
        assertEquals(3, admitted(instance(v), "payments", 4097, 10));
    }

    @Test
    void aRefusedSendsRetryWithTheSameMessageIdPasses() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        admitted(instance(v), "orders", 100, 20);
        SendMessageRequest request = send("orders", 100);
        Refusal first = assertThrows(Refusal.class, () -> admitSend(instance(v), request));
        assertEquals(Code.TOO_MANY_REQUESTS, first.code());
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        assertDoesNotThrow(() -> admitSend(instance(v), request), "the retry holds a reservation");
    }

    @Test
    void overTimeTheAdmittedRateIsTheLimitAndRetriedSendsRarelyFail() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        InstanceEntry i = instance(v);
        // like the SDK: a refused send is retried 100 ms later, then 200 ms after that, then given up
        java.util.TreeMap<Long, java.util.List<Object[]>> retries = new java.util.TreeMap<>();
        int ok = 0;
        int failed = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            nanos.set(T0 + TimeUnit.MILLISECONDS.toNanos(ms));
            java.util.List<Object[]> due = new java.util.ArrayList<>(retries.getOrDefault((long) ms, java.util.List.of()));
            retries.remove((long) ms);
            // offered: 200/s fresh sends (2x the limit), one every 5 ms
            if (ms % 5 == 0) {
                due.add(new Object[] {send("orders", 100), 1});
            }
            for (Object[] attempt : due) {
                try {
                    admitSend(i, (SendMessageRequest) attempt[0]);
                    ok++;
                } catch (Refusal r) {
                    int n = (int) attempt[1];
                    if (n == 3) {
                        failed++;
                    } else {
                        retries.computeIfAbsent((long) ms + (n == 1 ? 100 : 200), k -> new java.util.ArrayList<>())
                                .add(new Object[] {attempt[0], n + 1});
                    }
                }
            }
        }
        assertTrue(ok >= 950 && ok <= 1000 + 20 + 50, "admitted " + ok + " in 10 s at 100/s");
        assertTrue(failed > 0, "half the offered sends cannot fit: " + failed);
    }

    @Test
    void aClosedLoopProducerPastTheLimitSlowsDownWithoutLosingASend() {
        int[] r = closedLoop(500, 64);
        assertEquals(0, r[1], "sends given up after three attempts (" + r[0] + " admitted)");
        assertTrue(r[0] >= 4750 && r[0] <= 5000 + 100 + 150, "admitted " + r[0] + " in 10 s at 500/s");
    }

    @Test
    void atAModestLimitTooSixteenSendersInFlightAreSlowedNotFailed() {
        int[] r = closedLoop(200, 16);
        assertEquals(0, r[1], "sends given up after three attempts (" + r[0] + " admitted)");
        assertTrue(r[0] >= 1900 && r[0] <= 2000 + 40 + 60, "admitted " + r[0] + " in 10 s at 200/s");
    }

    /**
     * {@code senders} senders, each sending its next message when the previous one is done; a refused
     * attempt is retried like the Java SDK does with the backoff the gateway hands producers: after
     * 100 ms, then 200 ms, then given up; an accepted one completes 1 ms later. 10 s: {admitted, failed}.
     */
    private int[] closedLoop(int sendTps, int senders) {
        ConfigView v = view(sendTps, 2 * sendTps, null);
        limiter.update(v, 0);
        InstanceEntry i = instance(v);
        long[] nextAt = new long[senders];
        SendMessageRequest[] current = new SendMessageRequest[senders];
        int[] attempt = new int[senders];
        int ok = 0;
        int failed = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            nanos.set(T0 + TimeUnit.MILLISECONDS.toNanos(ms));
            for (int s = 0; s < senders; s++) {
                if (nextAt[s] > ms) {
                    continue;
                }
                if (current[s] == null) {
                    current[s] = send("orders", 1024);
                    attempt[s] = 1;
                }
                try {
                    admitSend(i, current[s]);
                    ok++;
                    current[s] = null;
                    nextAt[s] = ms + 1;
                } catch (Refusal r) {
                    if (attempt[s] == 3) {
                        failed++;
                        current[s] = null;
                        nextAt[s] = ms + 1;
                    } else {
                        nextAt[s] = ms + (attempt[s] == 1 ? 100 : 200);
                        attempt[s]++;
                    }
                }
            }
        }
        return new int[] {ok, failed};
    }

    @Test
    void aRetryCostingMoreThanItsBookingPaysTheDifferenceOrIsRefused() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        InstanceEntry i = instance(v);
        admitted(i, "orders", 100, 20);
        // a 1-byte send books 1 unit; its "retry" carries 64 KiB (16 units) under the same message id
        assertThrows(Refusal.class, () -> admitSend(i, send("orders", "same-id", 1)));
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(100));
        Refusal r = assertThrows(Refusal.class, () -> admitSend(i, send("orders", "same-id", 64 * 1024)),
                "the bucket holds ~9 units after the booking; 15 more cannot be taken from it");
        assertEquals(Code.TOO_MANY_REQUESTS, r.code());
        // the same retry with its booked body still passes: honest producers keep their booking
        assertDoesNotThrow(() -> admitSend(i, send("orders", "same-id", 1)));
    }

    @Test
    void bookingSmallSendsAndRetryingThemLargeAdmitsNoMoreThanTheLimit() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        InstanceEntry i = instance(v);
        // a hostile producer: a 1-byte send, and whenever it is refused, its retries with a 64 KiB body
        java.util.TreeMap<Long, java.util.List<Object[]>> retries = new java.util.TreeMap<>();
        long units = 0;
        for (int ms = 0; ms < 10_000; ms++) {
            nanos.set(T0 + TimeUnit.MILLISECONDS.toNanos(ms));
            java.util.List<Object[]> due = new java.util.ArrayList<>(retries.getOrDefault((long) ms, java.util.List.of()));
            retries.remove((long) ms);
            due.add(new Object[] {"hostile-" + ms, 1});
            for (Object[] attempt : due) {
                int n = (int) attempt[1];
                SendMessageRequest request = send("orders", (String) attempt[0], n == 1 ? 1 : 64 * 1024);
                try {
                    admitSend(i, request);
                    units += n == 1 ? 1 : 16;
                } catch (Refusal r) {
                    if (n < 3) {
                        retries.computeIfAbsent((long) ms + (n == 1 ? 100 : 200), k -> new java.util.ArrayList<>())
                                .add(new Object[] {attempt[0], n + 1});
                    }
                }
            }
        }
        // 10 s at 100 units/s, plus the burst (20) and at most the booking horizon (30) and one large message
        assertTrue(units <= 1000 + 20 + 30 + 16, "admitted " + units + " units in 10 s at 100 units/s");
    }

    @Test
    void anotherProducersSendWithABookedMessageIdDoesNotUseTheBooking() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        InstanceEntry i = instance(v);
        admitted(i, "orders", 100, 20);
        SendMessageRequest request = send("orders", "booked-id", 100);
        assertThrows(Refusal.class, () -> admitSend(i, request));
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(300));
        String other = ThroughputLimiter.sender("ak", "client-2");
        // the bucket was drained meanwhile, down to the booking's debt
        while (true) {
            try {
                limiter.admitSend(i, other, send("orders", 100));
            } catch (Refusal r) {
                break;
            }
        }
        assertThrows(Refusal.class, () -> limiter.admitSend(i, other, request), "another client id: a fresh send");
        assertDoesNotThrow(() -> admitSend(i, request), "the producer that booked it");
    }

    @Test
    void messagesOverTheInstancesSizeLimitAreRefusedBeforeAnyBroker() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        Refusal r = assertThrows(Refusal.class, () -> admitSend(instance(v), send("orders", 64 * 1024 + 1)));
        assertEquals(Code.MESSAGE_BODY_TOO_LARGE, r.code());
        assertTrue(r.getMessage().contains("64 KiB"), r.getMessage());
        assertDoesNotThrow(() -> admitSend(instance(v), send("orders", 64 * 1024)));
    }

    @Test
    void aTopicCapHoldsBelowTheInstanceLimit() {
        ConfigView v = view(1000, 2000, null);
        limiter.update(v, 0);
        // the topic's bucket holds 0.2 s of 10/s = 2
        assertEquals(2, admitted(instance(v), "capped", 100, 10));
        assertEquals(10, admitted(instance(v), "orders", 100, 10));
    }

    @Test
    void receivesAreRefusedOnlyWhileTheGroupOrInstanceIsInDebt() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        InstanceEntry i = instance(v);
        assertDoesNotThrow(() -> limiter.admitReceive(i, "slow"));
        limiter.received(i, "slow", "orders", 10 * 4096); // 10 units, the group's bucket held 1
        Refusal r = assertThrows(Refusal.class, () -> limiter.admitReceive(i, "slow"));
        assertEquals(Code.TOO_MANY_REQUESTS, r.code());
        assertTrue(r.getMessage().contains("consumer group 'slow'"), r.getMessage());
        assertDoesNotThrow(() -> limiter.admitReceive(i, "workers"), "another group is not held back");
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertDoesNotThrow(() -> limiter.admitReceive(i, "slow"));
    }

    @Test
    void aTemporaryThrottleLowersTheLimitUntilItExpires() {
        TemporaryThrottle temp = TemporaryThrottle.newBuilder().setSendTps(10).setReceiveTps(10)
                .setExpiresAtMillis(60_000).setReason("incident").build();
        ConfigView v = view(100, 200, temp);
        limiter.update(v, 0);
        assertEquals(10.0, limiter.localRate("i1", LimitKind.LIMIT_KIND_INSTANCE_SEND, ""));
        limiter.update(v, 60_001);
        assertEquals(100.0, limiter.localRate("i1", LimitKind.LIMIT_KIND_INSTANCE_SEND, ""));
    }

    @Test
    void aThrottleOnAnInstanceWithoutLimitsStillApplies() {
        TemporaryThrottle temp = TemporaryThrottle.newBuilder().setSendTps(10).setExpiresAtMillis(60_000).build();
        ConfigView v = view(0, 0, temp);
        limiter.update(v, 0);
        assertEquals(10.0, limiter.localRate("i1", LimitKind.LIMIT_KIND_INSTANCE_SEND, ""));
        assertTrue(Double.isNaN(limiter.localRate("i1", LimitKind.LIMIT_KIND_INSTANCE_RECEIVE, "")), "no receive limit at all");
    }

    @Test
    void replicasEnforceTheirGrantWhileValidThenAnEqualShare() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        LimitKey key = LimitKey.newBuilder().setInstanceId("i1").setKind(LimitKind.LIMIT_KIND_INSTANCE_SEND).build();
        limiter.grant(ThroughputGrants.newBuilder().setLiveGateways(2).setValidForMillis(2000)
                .addGrants(Grant.newBuilder().setKey(key).setRate(70)).build());
        assertEquals(70.0, limiter.localRate("i1", LimitKind.LIMIT_KIND_INSTANCE_SEND, ""));
        // the receive limit had no grant: half of it, with two replicas live
        assertEquals(100.0, limiter.localRate("i1", LimitKind.LIMIT_KIND_INSTANCE_RECEIVE, ""));
        nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(2001));
        limiter.update(v, 0);
        assertEquals(50.0, limiter.localRate("i1", LimitKind.LIMIT_KIND_INSTANCE_SEND, ""));
    }

    @Test
    void usageReportsWhatWasAskedAndRefusedThenStartsOver() {
        ConfigView v = view(100, 200, null);
        limiter.update(v, 0);
        admitted(instance(v), "orders", 100, 25);
        UsageReport report = limiter.drainUsage("gw-1", 500);
        LimitUsage send = report.getUsageList().stream()
                .filter(u -> u.getKey().getKind() == LimitKind.LIMIT_KIND_INSTANCE_SEND).findFirst().orElseThrow();
        assertEquals(25, send.getDemanded());
        assertEquals(20, send.getAdmitted());
        assertEquals(5, send.getThrottledRequests());
        assertEquals(100.0, send.getLimit());
        assertEquals(0, limiter.drainUsage("gw-1", 500).getUsageCount());
        assertEquals(5L, limiter.throttledTotals().values().iterator().next());
    }
}
