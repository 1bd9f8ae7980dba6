package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gantry.sdktests.support.Account;
import io.gantry.sdktests.support.Await;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.time.Duration;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.java.exception.ForbiddenException;
import org.apache.rocketmq.client.java.exception.UnauthorizedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The gateway's authentication as an application meets it: bad credentials are refused with RocketMQ's
 * UNAUTHORIZED/FORBIDDEN statuses, and changes made through the API reach the gateway within 2 s.
 */
@ExtendWith(GantryExtension.class)
class CredentialsIT {

    /** The bound for a new account, a disabled account and a new topic to reach every gateway. */
    private static final Duration PROPAGATION = Duration.ofSeconds(2);

    private static TenantInstance instance;

    @BeforeAll
    static void instance(GantryStack stack) {
        instance = stack.newTenant().createInstance().createTopic("orders", "NORMAL").awaitRunning().awaitServed("orders");
    }

    @Test
    void anUnknownAccessKeyIsRefused() {
        Account stranger = new Account("nobody", "AKnotAnAccessKeyOfAnyone", "whatever-secret");
        assertRefused(Sdk.configuration(instance.endpoint(), stranger), "an unknown access key");
    }

    @Test
    void aWrongSecretIsRefused() {
        Account wrong = instance.account().withSecret(instance.account().secretKey() + "x");
        assertRefused(Sdk.configuration(instance.endpoint(), wrong), "a wrong secret");
    }

    @Test
    void aDisabledAccountIsRefusedWithinTwoSeconds() throws Exception {
        Account account = instance.createAccount("soon-disabled");
        ClientConfiguration configuration = instance.clientConfiguration(account);
        Await.until("the new account to work", Duration.ofSeconds(15), () -> sendsWith(configuration));
        try (Producer running = Sdk.producer(configuration, "orders")) {
            running.send(Sdk.message("orders", "before", null, null));

            instance.setAccountEnabled("soon-disabled", false);
            long disabledAt = System.nanoTime();
            Throwable refusal = Await.until("a running producer of the disabled account to be refused", PROPAGATION, () -> {
                try {
                    running.send(Sdk.message("orders", "after", null, null));
                    return null;
                } catch (ClientException e) {
                    return e;
                }
            });
            GantryStack.log("disabled account refused after " + (System.nanoTime() - disabledAt) / 1_000_000 + " ms: "
                    + Sdk.describe(refusal));
            assertAuthStatus(refusal, "a disabled account (running producer)");
        }
        assertRefused(configuration, "a disabled account (new producer)");
    }

    @Test
    void aNewAccountWorksWithinTwoSeconds() {
        Account fresh = instance.createAccount("fresh");
        long createdAt = System.nanoTime();
        ClientConfiguration configuration = instance.clientConfiguration(fresh);
        Await.until("the new account to send", PROPAGATION, () -> sendsWith(configuration));
        GantryStack.log("new account worked after " + (System.nanoTime() - createdAt) / 1_000_000 + " ms");
    }

    @Test
    void aNewTopicWorksWithinTwoSecondsOfRunning() {
        instance.createTopic("late-topic", "NORMAL").awaitRunning();
        long runningAt = System.nanoTime();
        ClientConfiguration configuration = instance.clientConfiguration();
        Await.until("the new topic to take messages", PROPAGATION, () -> {
            try (Producer producer = Sdk.producer(configuration, "late-topic")) {
                producer.send(Sdk.message("late-topic", "first", null, null));
                return true;
            }
        });
        GantryStack.log("new topic worked " + (System.nanoTime() - runningAt) / 1_000_000 + " ms after RUNNING");
    }

    private static boolean sendsWith(ClientConfiguration configuration) throws Exception {
        try (Producer producer = Sdk.producer(configuration, "orders")) {
            producer.send(Sdk.message("orders", "hello", null, null));
            return true;
        }
    }

    private static void assertRefused(ClientConfiguration configuration, String what) {
        try {
            sendsWith(configuration);
            fail(what + " was accepted");
        } catch (Exception e) {
            assertAuthStatus(e, what);
        }
    }

    /** UNAUTHORIZED (401xx) or FORBIDDEN (403xx), as the SDK reports them. */
    private static void assertAuthStatus(Throwable failure, String what) {
        ClientException status = Sdk.clientException(failure).orElse(null);
        assertTrue(status instanceof UnauthorizedException || status instanceof ForbiddenException,
                what + " must be refused as UNAUTHORIZED or FORBIDDEN, was: " + Sdk.describe(failure));
    }
}
