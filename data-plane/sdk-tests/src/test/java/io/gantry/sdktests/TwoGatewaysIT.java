package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.sdktests.support.Await;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Gateway;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TcpForwarder;
import io.gantry.sdktests.support.TenantInstance;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Gateways are stateless: two replicas behind one address (a TCP forwarder standing in for the load
 * balancer; both advertise its address). Clients connected through replica A are moved to replica B
 * (A's connections dropped, then A killed) and carry on with the same SDK objects: the producer sends,
 * the consumer receives, and a message received through A is acknowledged through B.
 */
@ExtendWith(GantryExtension.class)
class TwoGatewaysIT {

    private static final Duration RECONNECT = Duration.ofSeconds(30);

    @Test
    void aClientMovedFromOneReplicaToTheOtherKeepsWorking(GantryStack stack) throws Exception {
        TenantInstance instance = stack.newTenant().createInstance()
                .createTopic("orders", "NORMAL").createGroup("workers").awaitRunning();
        Gateway a = null;
        Gateway b = null;
        try (TcpForwarder balancer = new TcpForwarder()) {
            a = stack.startGateway("gw-a", balancer.endpoint());
            b = stack.startGateway("gw-b", balancer.endpoint());
            balancer.switchTo(b.tlsEndpoint());
            instance.awaitServed(balancer.endpoint(), "orders");
            balancer.switchTo(a.tlsEndpoint());
            instance.awaitServed(balancer.endpoint(), "orders");

            ClientConfiguration configuration = Sdk.configuration(balancer.endpoint(), instance.account());
            try (Producer producer = Sdk.producer(configuration, "orders");
                    SimpleConsumer consumer = Sdk.simpleConsumer(configuration, "workers", "orders")) {
                Set<String> before = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    producer.send(Sdk.message("orders", "before-" + i, null, null));
                    before.add("before-" + i);
                }
                // through A: receive all, acknowledge all but one
                List<MessageView> throughA = Sdk.receiveUntil(consumer, false, Duration.ofSeconds(60),
                        views -> bodies(views).containsAll(before));
                MessageView held = throughA.get(0);
                for (MessageView view : throughA.subList(1, throughA.size())) {
                    consumer.ack(view);
                }

                balancer.switchTo(b.tlsEndpoint());
                a.kill();
                assertFalse(a.isAlive());

                // the same producer, through B
                Set<String> after = new HashSet<>();
                for (int i = 0; i < 10; i++) {
                    String body = "after-" + i;
                    Await.until("the producer to send " + body + " through replica B", RECONNECT, () -> {
                        producer.send(Sdk.message("orders", body, null, null));
                        return true;
                    });
                    after.add(body);
                }
                // a receipt handle A handed out, acknowledged through B
                Await.until("the message received through A to be acknowledged through B", RECONNECT, () -> {
                    consumer.ack(held);
                    return true;
                });
                // the same consumer, through B
                List<MessageView> throughB = Sdk.receiveUntil(consumer, true, Duration.ofSeconds(60),
                        views -> bodies(views).containsAll(after));
                assertEquals(after, Set.copyOf(bodies(throughB)), "after the move: the new messages, once each");
            }
            assertTrue(b.isAlive(), "replica B kept running: " + b.logTail());
        } finally {
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
    }

    private static List<String> bodies(List<MessageView> views) {
        return views.stream().map(Sdk::body).toList();
    }
}
