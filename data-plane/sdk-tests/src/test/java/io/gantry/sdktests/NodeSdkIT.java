package io.gantry.sdktests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.sdktests.support.GantryExtension;
import io.gantry.sdktests.support.GantryStack;
import io.gantry.sdktests.support.Sdk;
import io.gantry.sdktests.support.TenantInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A second official SDK: the RocketMQ 5 Node.js client ({@code node/send-receive.js}, npm
 * {@code rocketmq-client-nodejs} 1.0.8 pinned by {@code node/package-lock.json}) sends and receives
 * through the gateway's plaintext listener, and interoperates with a Java client on the same topic.
 */
@ExtendWith(GantryExtension.class)
class NodeSdkIT {

    private static final Duration NPM_CI = Duration.ofMinutes(5);
    private static final Duration SCRIPT = Duration.ofMinutes(2);

    @Test
    void theNodeSdkSendsAndReceivesThroughTheGateway(GantryStack stack) throws Exception {
        Path nodeDir = stack.repoRoot().resolve("data-plane/sdk-tests/node");
        installNodeModules(nodeDir);

        TenantInstance instance = stack.newTenant().createInstance()
                .createTopic("greetings", "NORMAL").createGroup("node-readers").createGroup("java-readers")
                .awaitRunning().awaitServed("greetings");
        String fromJava = "from-java-" + System.nanoTime();
        try (Producer producer = Sdk.producer(instance.clientConfiguration(), "greetings")) {
            producer.send(Sdk.message("greetings", fromJava, "java-key", "java"));
        }

        Path home = stack.tempDir("node-home"); // the Node SDK logs to ~/logs/rocketmq
        List<String> command = List.of("node", "send-receive.js");
        ProcessBuilder builder = new ProcessBuilder(command).directory(nodeDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(Map.of(
                "HOME", home.toString(),
                "GANTRY_ENDPOINT", stack.gateway().plaintextEndpoint(),
                "GANTRY_ACCESS_KEY", instance.account().accessKey(),
                "GANTRY_SECRET_KEY", instance.account().secretKey(),
                "GANTRY_TOPIC", "greetings",
                "GANTRY_GROUP", "node-readers",
                "GANTRY_COUNT", "5",
                "GANTRY_EXPECT", fromJava));
        String output = run(builder, SCRIPT, "node send-receive.js");
        JsonNode result = result(output);
        assertTrue(result.path("ok").asBoolean(), "the Node client's run: " + output);

        Set<String> nodeBodies = new TreeSet<>();
        result.path("sent").forEach(sent -> nodeBodies.add(sent.path("body").asText()));
        assertEquals(5, nodeBodies.size(), output);
        Set<String> nodeReceived = new TreeSet<>();
        for (JsonNode received : result.path("received")) {
            assertEquals("greetings", received.path("topic").asText(), "the plain topic name: " + received);
            nodeReceived.add(received.path("body").asText());
        }
        Set<String> expectedByNode = new TreeSet<>(nodeBodies);
        expectedByNode.add(fromJava);
        assertEquals(expectedByNode, nodeReceived, "Node received its own messages and the Java client's");

        // and a Java consumer in another group receives what the Node client sent, keys and tag intact
        try (SimpleConsumer consumer = Sdk.simpleConsumer(instance.clientConfiguration(), "java-readers", "greetings")) {
            List<MessageView> got = Sdk.receiveUntil(consumer, true, Duration.ofSeconds(60),
                    views -> views.stream().map(Sdk::body).toList().containsAll(nodeBodies));
            for (MessageView view : got) {
                if (nodeBodies.contains(Sdk.body(view))) {
                    assertEquals("node", view.getTag().orElse(null));
                    assertTrue(view.getKeys().iterator().next().startsWith("node-key-"), view.getKeys().toString());
                }
            }
        }
    }

    /** {@code npm ci} when node_modules lacks the SDK; a clear failure when npm is not installed. */
    private static void installNodeModules(Path nodeDir) throws Exception {
        if (Files.isDirectory(nodeDir.resolve("node_modules/rocketmq-client-nodejs"))) {
            return;
        }
        try {
            run(new ProcessBuilder("npm", "--version").redirectErrorStream(true), Duration.ofSeconds(30), "npm --version");
        } catch (IOException e) {
            fail("npm is not installed (the Node.js SDK test needs Node.js >= 16.19 and npm; on Debian: "
                    + "apt-get install nodejs npm): " + e.getMessage());
        }
        ProcessBuilder ci = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(nodeDir.toFile()).redirectErrorStream(true);
        run(ci, NPM_CI, "npm ci in " + nodeDir);
    }

    /** Runs a command to completion within {@code timeout}; its output, or a failure that shows it. */
    private static String run(ProcessBuilder builder, Duration timeout, String what) throws Exception {
        Path out = Files.createTempFile("gantry-sdk-tests-", ".out");
        try {
            builder.redirectOutput(out.toFile());
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                // only this process and what it started
                List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
                process.destroyForcibly();
                tree.forEach(ProcessHandle::destroyForcibly);
                process.waitFor(10, TimeUnit.SECONDS);
            }
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (!finished) {
                fail(what + " did not finish within " + timeout.toSeconds() + " s:\n" + output);
            }
            if (process.exitValue() != 0 && !what.startsWith("node ")) {
                fail(what + " exited with " + process.exitValue() + ":\n" + output);
            }
            return output;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static JsonNode result(String output) throws IOException {
        for (String line : output.lines().toList()) {
            if (line.startsWith("RESULT ")) {
                return new ObjectMapper().readTree(line.substring("RESULT ".length()));
            }
        }
        throw new AssertionError("the Node script printed no RESULT line:\n" + output);
    }
}
