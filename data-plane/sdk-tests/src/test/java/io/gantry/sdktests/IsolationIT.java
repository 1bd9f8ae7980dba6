package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two tenants' instances on the same RocketMQ cluster, with the same topic and group names: each sees
 * only its own messages, and nothing a client sends about namespaces or reserved names reaches the
 * other instance.
 */
@ExtendWith(GantryExtension.class)
class IsolationIT {

    private static final Duration DELIVERY = Duration.ofSeconds(60);

    private static TenantInstance alpha;
    private static TenantInstance beta;

    @BeforeAll
    static void twoTenants(GantryStack stack) {
        alpha = stack.newTenant().createInstance();
        beta = stack.newTenant().createInstance();
        for (TenantInstance instance : List.of(alpha, beta)) {
            // one queue each for "orders": a single queue is read in order, so "nothing before the
            // marker" means nothing at all
            instance.createTopic("orders", "NORMAL", 1).createGroup("workers")
                    .createTopic("shared", "NORMAL").createGroup("readers");
        }
        for (TenantInstance instance : List.of(alpha, beta)) {
            instance.awaitRunning().awaitServed("orders");
        }
    }

    @Test
    void twoInstancesWithTheSameNamesSeeOnlyTheirOwnMessages() throws Exception {
        try (SimpleConsumer alphaConsumer = Sdk.simpleConsumer(alpha.clientConfiguration(), "readers", "shared");
                SimpleConsumer betaConsumer = Sdk.simpleConsumer(beta.clientConfiguration(), "readers", "shared");
                Producer alphaProducer = Sdk.producer(alpha.clientConfiguration(), "shared");
                Producer betaProducer = Sdk.producer(beta.clientConfiguration(), "shared")) {
            Set<String> alphaSent = send(alphaProducer, "shared", "alpha-", 10);
            Set<String> betaSent = send(betaProducer, "shared", "beta-", 10);

            List<MessageView> alphaGot = Sdk.receiveUntil(alphaConsumer, true, DELIVERY,
                    views -> bodies(views).containsAll(alphaSent));
            List<MessageView> betaGot = Sdk.receiveUntil(betaConsumer, true, DELIVERY,
                    views -> bodies(views).containsAll(betaSent));
            // both sides' messages were all stored before either finished receiving: a leak would show now
            alphaGot.addAll(Sdk.receiveFor(alphaConsumer, Duration.ofSeconds(3)));
            betaGot.addAll(Sdk.receiveFor(betaConsumer, Duration.ofSeconds(3)));

            assertEquals(alphaSent, Set.copyOf(bodies(alphaGot)), "alpha receives exactly its own");
            assertEquals(10, alphaGot.size());
            assertEquals(betaSent, Set.copyOf(bodies(betaGot)), "beta receives exactly its own");
            assertEquals(10, betaGot.size());
        }
    }

    @Test
    void namesThatPointOutsideTheInstanceAreRefusedAndReachNothing() throws Exception {
        String victim = beta.namespace();
        String victimsOwn = "beta-private-" + System.nanoTime();
        try (Producer betaProducer = Sdk.producer(beta.clientConfiguration(), "orders")) {
            betaProducer.send(Sdk.message("orders", victimsOwn, null, null));
        }

        // Alpha's client claims beta's namespace (ClientConfiguration.setNamespace).
        ClientConfiguration claimsBeta = Sdk.configuration(alpha.endpoint(), alpha.account(), true, victim);
        List<String> outcomes = new ArrayList<>();
        outcomes.add(refusedToSend(claimsBeta, "orders", "namespace " + victim));
        outcomes.add(refusedToReceive(claimsBeta, "workers", "orders", "namespace " + victim));

        // Alpha's client names beta's resources, and reserved names, itself.
        ClientConfiguration plain = alpha.clientConfiguration();
        for (String topic : List.of(victim + "%orders", "%RETRY%" + victim + "%workers", "%DLQ%" + victim + "%workers",
                "%RETRY%workers", "%DLQ%workers", "rmq_sys_TRACE_DATA_" + GantryStack.REGION)) {
            outcomes.add(refusedToSend(plain, topic, "topic " + topic));
            outcomes.add(refusedToReceive(plain, "workers", topic, "topic " + topic));
        }
        outcomes.add(refusedToReceive(plain, victim + "%workers", "orders", "group " + victim + "%workers"));
        outcomes.add(refusedToReceive(plain, "%RETRY%workers", "orders", "group %RETRY%workers"));
        GantryStack.log("forged names refused: " + String.join("; ", outcomes));

        // Beta's queue holds its own message and, after it, a marker: nothing else got in, and nobody
        // took beta's message away.
        String marker = "beta-marker-" + System.nanoTime();
        try (Producer betaProducer = Sdk.producer(beta.clientConfiguration(), "orders");
                SimpleConsumer betaConsumer = Sdk.simpleConsumer(beta.clientConfiguration(), "workers", "orders")) {
            betaProducer.send(Sdk.message("orders", marker, null, null));
            List<MessageView> got = Sdk.receiveUntil(betaConsumer, true, DELIVERY, views -> bodies(views).contains(marker));
            got.addAll(Sdk.receiveFor(betaConsumer, Duration.ofSeconds(2)));
            assertEquals(List.of(victimsOwn, marker), bodies(got), "beta's queue holds only what beta sent");
        }
    }

    /**
     * A producer with this configuration cannot start or cannot send to {@code topic}. Returns how it
     * was refused; fails if the send was accepted.
     */
    private static String refusedToSend(ClientConfiguration configuration, String topic, String what) {
        Producer producer = null;
        try {
            producer = Sdk.producer(configuration, topic);
            producer.send(Sdk.message(topic, "forged " + what, null, null));
            fail("sending with " + what + " was accepted");
            return null;
        } catch (ClientException | RuntimeException e) {
            return what + " (send): " + refusal(e);
        } finally {
            Sdk.closeQuietly(producer);
        }
    }

    /** A simple consumer with this configuration cannot start or cannot receive; fails if it receives. */
    private static String refusedToReceive(ClientConfiguration configuration, String group, String topic, String what) {
        SimpleConsumer consumer = null;
        try {
            consumer = Sdk.simpleConsumer(configuration, group, topic);
            List<MessageView> got = consumer.receive(16, Sdk.INVISIBLE);
            fail("receiving with " + what + " was accepted" + (got.isEmpty() ? "" : " and returned " + bodies(got)));
            return null;
        } catch (ClientException | RuntimeException e) {
            return what + " (receive): " + refusal(e);
        } finally {
            Sdk.closeQuietly(consumer);
        }
    }

    /**
     * How the SDK reported a refusal: the RocketMQ status when there is one (QueryRoute, SendMessage,
     * ReceiveMessage answer with one), otherwise the start failure (a refused Telemetry stream, e.g. for a
     * forged group, surfaces in SDK 5.2.0 only as "Failed to fetch topics" after its settings wait, as it
     * does against RocketMQ's own proxy).
     */
    private static String refusal(Throwable failure) {
        return Sdk.clientException(failure)
                .map(status -> "status " + status.getClass().getSimpleName() + " " + status.getMessage())
                .orElse("no status: " + Sdk.describe(failure));
    }

    private static Set<String> send(Producer producer, String topic, String prefix, int count) throws ClientException {
        Set<String> bodies = IntStream.range(0, count).mapToObj(i -> prefix + i).collect(Collectors.toSet());
        for (String body : bodies) {
            producer.send(Sdk.message(topic, body, null, null));
        }
        return bodies;
    }

    private static List<String> bodies(List<MessageView> views) {
        return views.stream().map(Sdk::body).toList();
    }
}
