package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The SDK carries its own (shaded) copy of RocketMQ's protocol classes: another copy earlier on the
 * classpath, from rocketmq-proto, breaks it with NoSuchMethodError (docs/facts.md). This module's classpath
 * must hold exactly one: the SDK's.
 */
class RocketMqClasspathTest {

    @Test
    void theProtocolClassesComeOnlyFromTheSdkJar() throws IOException {
        List<URL> copies = Collections.list(getClass().getClassLoader()
                .getResources("apache/rocketmq/v2/MessagingServiceGrpc.class"));
        assertEquals(1, copies.size(), "copies of apache.rocketmq.v2 on the classpath: " + copies);
        assertTrue(copies.get(0).toString().contains("rocketmq-client-java"), copies.get(0).toString());
    }
}
