package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gantry.sdktests.support.Account;
import io.gantry.sdktests.support.Await;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.java.exception.ForbiddenException;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Account permissions and IP allowlists, set through the API and enforced by the gateway for the
 * official SDK: an account with only PUB on "orders" publishes there and nowhere else, and cannot
 * consume; rules and allowlists reach the gateway within 2 s.
 */
@ExtendWith(GantryExtension.class)
class AclIT {
    /** The bound for ACL changes to reach gateways. */
    private static final Duration ACL_PROPAGATION = Duration.ofSeconds(2);
    /** Slack for the SDK's own round trips on a loaded machine when the bound is observed from outside. */
    private static final Duration OBSERVED = ACL_PROPAGATION.plusSeconds(3);

    @Test
    void anAccountWithOnlyPubOnOrdersCannotConsumeItNorPublishElsewhere(GantryStack stack) throws Exception {
        TenantInstance instance = stack.newTenant().createInstance()
                .createTopic("orders", "NORMAL").createTopic("audit", "NORMAL").createGroup("workers").awaitRunning();
        Account publisher = instance.createAccount("orders-publisher", "NORMAL");
        instance.addAclRule("orders-publisher", Map.of("resourceType", "TOPIC", "resourceName", "orders",
                "pattern", "LITERAL", "actions", List.of("PUB"), "decision", "ALLOW"));
        instance.awaitServed("orders");
        ClientConfiguration configuration = instance.clientConfiguration(publisher);

        try (Producer producer = Sdk.producer(configuration)) {
            String id = Await.until("the PUB rule to reach the gateway", OBSERVED,
                    () -> producer.send(Sdk.message("orders", "allowed", "k-1", null)).getMessageId().toString());
            assertTrue(!id.isEmpty());
            ClientException refused = sendFailure(producer, "audit");
            assertInstanceOf(ForbiddenException.class, refused, "publishing to 'audit' without PUB: " + Sdk.describe(refused));
            assertTrue(refused.getMessage().contains("PUB") && refused.getMessage().contains("topic 'audit'"), refused.getMessage());
        }

        // consuming needs SUB on the group and the topic: the SDK is refused, at start or at the first receive
        try (SimpleConsumer consumer = Sdk.simpleConsumer(configuration, "workers", "orders")) {
            List<MessageView> got = consumer.receive(16, Sdk.INVISIBLE);
            fail("a PUB-only account received " + got.size() + " message(s)");
        } catch (Exception e) {
            // refused at start (the gateway refuses the consumer's Settings and heartbeat; SDK 5.2.0 reports
            // only that its service failed to start) or FORBIDDEN at the first receive
            boolean forbidden = Sdk.clientException(e).orElse(null) instanceof ForbiddenException;
            boolean startRefused = e instanceof IllegalStateException && String.valueOf(e.getMessage()).contains("FAILED");
            assertTrue(forbidden || startRefused, "expected FORBIDDEN or a refused start: " + Sdk.describe(e));
        }

        // granting SUB makes the same credentials a consumer, within the propagation bound
        instance.addAclRule("orders-publisher", Map.of("resourceType", "GROUP", "resourceName", "work",
                "pattern", "PREFIX", "actions", List.of("SUB"), "decision", "ALLOW"));
        instance.addAclRule("orders-publisher", Map.of("resourceType", "TOPIC", "resourceName", "orders",
                "pattern", "LITERAL", "actions", List.of("SUB"), "decision", "ALLOW"));
        List<MessageView> received = Await.until("SUB rules to let the account consume", Duration.ofSeconds(60), () -> {
            try (SimpleConsumer consumer = Sdk.simpleConsumer(configuration, "workers", "orders")) {
                return Sdk.receiveUntil(consumer, true, Duration.ofSeconds(20), views -> !views.isEmpty());
            }
        });
        assertEquals("allowed", Sdk.body(received.get(0)));

        // a DENY wins over the ALLOW
        instance.addAclRule("orders-publisher", Map.of("resourceType", "TOPIC", "resourceName", "ord",
                "pattern", "PREFIX", "actions", List.of("PUB"), "decision", "DENY"));
        try (Producer producer = Sdk.producer(configuration)) {
            Await.until("the DENY rule to reach the gateway", OBSERVED,
                    () -> sendFailure(producer, "orders") instanceof ForbiddenException);
        }
    }

    @Test
    void anIpAllowlistKeepsOutEveryAccountFromOtherAddresses(GantryStack stack) throws Exception {
        TenantInstance instance = stack.newTenant().createInstance().createTopic("orders", "NORMAL").awaitRunning();
        instance.awaitServed("orders");
        try (Producer producer = Sdk.producer(instance.clientConfiguration())) {
            producer.send(Sdk.message("orders", "before", null, null));

            instance.update(Map.of("ipAllowlist", List.of("10.0.0.0/8", "fd00::/8")));
            long set = System.nanoTime();
            Await.until("the allowlist to refuse 127.0.0.1", OBSERVED,
                    () -> sendFailure(producer, "orders") instanceof ForbiddenException);
            GantryStack.log("allowlist enforced " + Duration.ofNanos(System.nanoTime() - set).toMillis() + " ms after the PATCH");
            ClientException refused = sendFailure(producer, "orders");
            assertTrue(refused.getMessage().contains("not in the IP allowlist"), refused.getMessage());

            instance.update(Map.of("ipAllowlist", List.of("10.0.0.0/8", "127.0.0.1/32")));
            Await.until("the allowlist to admit 127.0.0.1 again", OBSERVED,
                    () -> producer.send(Sdk.message("orders", "after", null, null)) != null);
        }
    }

    /** The failure of a send that must fail (a send that succeeds fails the test). */
    private static ClientException sendFailure(Producer producer, String topic) {
        try {
            producer.send(Sdk.message(topic, "must-not-arrive", null, null));
        } catch (ClientException e) {
            return e;
        }
        throw new AssertionError("a send to '" + topic + "' was accepted");
    }
}
