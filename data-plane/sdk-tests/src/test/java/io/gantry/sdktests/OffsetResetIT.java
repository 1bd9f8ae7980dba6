package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.sdktests.support.Await;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Offset resets through the API, seen by the official SDK's SimpleConsumer through the gateway while
 * it stays online: a reset to a time re-delivers what was stored since then and nothing older; a reset
 * to the end skips the backlog. (rocketmq-dashboard's reset silently does nothing for gRPC clients when
 * the broker pushes the reset to clients, apache/rocketmq#9038; Gantry uses the broker's server-side reset.)
 */
@ExtendWith(GantryExtension.class)
class OffsetResetIT {
    private static final Duration DELIVERY = Duration.ofSeconds(60);

    private static TenantInstance instance;

    @BeforeAll
    static void instance(GantryStack gantry) {
        instance = gantry.newTenant().createInstance()
                .createTopic("orders", "NORMAL").createGroup("readers")
                .createTopic("alerts", "NORMAL").createGroup("pagers")
                .awaitRunning();
        instance.awaitServed("orders");
    }

    private static Set<String> bodies(List<MessageView> views) {
        return views.stream().map(Sdk::body).collect(Collectors.toSet());
    }

    private static Set<String> named(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.toSet());
    }

    @Test
    void aResetToATimeRedeliversExactlyWhatWasStoredSinceThen() throws Exception {
        Set<String> before = named("before-", 5);
        Set<String> after = named("after-", 5);
        try (SimpleConsumer consumer = Sdk.simpleConsumer(instance.clientConfiguration(), "readers", "orders");
                Producer producer = Sdk.producer(instance.clientConfiguration(), "orders")) {
            for (String body : before) {
                producer.send(Sdk.message("orders", body, null, null));
            }
            Sdk.receiveUntil(consumer, true, DELIVERY, views -> bodies(views).containsAll(before));
            // The broker stamps stores with this machine's clock in milliseconds: a point strictly between.
            Instant cut = Instant.now().plusMillis(5);
            Await.condition("the clock to pass the cut", Duration.ofSeconds(5), () -> Instant.now().isAfter(cut.plusMillis(5)));
            for (String body : after) {
                producer.send(Sdk.message("orders", body, null, null));
            }
            Sdk.receiveUntil(consumer, true, DELIVERY, views -> bodies(views).containsAll(after));

            instance.resetOffsets("readers", Map.of("topic", "orders", "to", "TIMESTAMP", "timestamp", cut.toString()));

            List<MessageView> again = Sdk.receiveUntil(consumer, true, DELIVERY, views -> bodies(views).containsAll(after));
            assertEquals(after, bodies(again), "what was stored after the cut, nothing before it");
            assertTrue(Sdk.receiveFor(consumer, Duration.ofSeconds(3)).isEmpty(), "nothing more after the re-delivery");
        }
    }

    @Test
    void aResetToTheEndSkipsTheBacklog() throws Exception {
        Set<String> backlog = named("backlog-", 10);
        try (Producer producer = Sdk.producer(instance.clientConfiguration(), "alerts")) {
            for (String body : backlog) {
                producer.send(Sdk.message("alerts", body, null, null));
            }
        }
        try (SimpleConsumer consumer = Sdk.simpleConsumer(instance.clientConfiguration(), "pagers", "alerts")) {
            // The group has consumed nothing yet: a reset of every topic finds none, so the topic is named.
            instance.resetOffsets("pagers", Map.of("topic", "alerts", "to", "LATEST"));
            try (Producer producer = Sdk.producer(instance.clientConfiguration(), "alerts")) {
                producer.send(Sdk.message("alerts", "fresh", null, null));
            }
            List<MessageView> received = Sdk.receiveUntil(consumer, true, DELIVERY, views -> bodies(views).contains("fresh"));
            assertEquals(Set.of("fresh"), bodies(received), "the backlog is skipped");
        }
    }
}
