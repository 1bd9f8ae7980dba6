package io.gantry.sdktests.support;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientException;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.SessionCredentialsProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.MessageListener;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageBuilder;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.ProducerBuilder;
import org.apache.rocketmq.client.apis.producer.TransactionChecker;

/** The official Java SDK (rocketmq-client-java), used as a tenant's application would use it. */
public final class Sdk {

    public static final ClientServiceProvider PROVIDER = ClientServiceProvider.loadService();
    /** How long a SimpleConsumer's receive long-polls. */
    public static final Duration AWAIT = Duration.ofSeconds(2);
    public static final Duration INVISIBLE = Duration.ofSeconds(30);

    private Sdk() {
    }

    /** Endpoint + credentials, TLS on (the SDK's default), no namespace. */
    public static ClientConfiguration configuration(String endpoint, Account account) {
        return configuration(endpoint, account, true, null);
    }

    /**
     * @param tls        false for a plaintext listener
     * @param namespace  null: none (what a Gantry tenant does); otherwise {@code setNamespace}
     */
    public static ClientConfiguration configuration(String endpoint, Account account, boolean tls, String namespace) {
        SessionCredentialsProvider credentials = new StaticSessionCredentialsProvider(account.accessKey(), account.secretKey());
        var builder = ClientConfiguration.newBuilder()
                .setEndpoints(endpoint)
                .setCredentialProvider(credentials)
                .setRequestTimeout(Duration.ofSeconds(5))
                .enableSsl(tls);
        if (namespace != null) {
            builder.setNamespace(namespace);
        }
        return builder.build();
    }

    public static Producer producer(ClientConfiguration configuration, String... topics) throws ClientException {
        return boundedClose(Producer.class,
                PROVIDER.newProducerBuilder().setClientConfiguration(configuration).setTopics(topics).build());
    }

    public static Producer transactionalProducer(ClientConfiguration configuration, TransactionChecker checker,
            String... topics) throws ClientException {
        ProducerBuilder builder = PROVIDER.newProducerBuilder().setClientConfiguration(configuration).setTopics(topics)
                .setTransactionChecker(checker);
        return boundedClose(Producer.class, builder.build());
    }

    public static SimpleConsumer simpleConsumer(ClientConfiguration configuration, String group, String topic)
            throws ClientException {
        return boundedClose(SimpleConsumer.class, PROVIDER.newSimpleConsumerBuilder()
                .setClientConfiguration(configuration)
                .setConsumerGroup(group)
                .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL))
                .setAwaitDuration(AWAIT)
                .build());
    }

    public static PushConsumer pushConsumer(ClientConfiguration configuration, String group, String topic,
            MessageListener listener) throws ClientException {
        return boundedClose(PushConsumer.class, PROVIDER.newPushConsumerBuilder()
                .setClientConfiguration(configuration)
                .setConsumerGroup(group)
                .setSubscriptionExpressions(Map.of(topic, FilterExpression.SUB_ALL))
                .setMessageListener(listener)
                .build());
    }

    /**
     * The client with a {@code close()} that gives up after {@link #CLOSE_TIMEOUT}. The SDK's close
     * waits without limit for its gRPC channel to terminate, that is for every call on it to end: a
     * call the server never ends hangs the application's shutdown, and would hang the test run. Here
     * it fails the test instead, saying so (the stuck close goes on in a daemon thread).
     */
    @SuppressWarnings("unchecked")
    static <T extends java.io.Closeable> T boundedClose(Class<T> type, T client) {
        return (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (method.getName().equals("close") && method.getParameterCount() == 0) {
                closeWithin(client, CLOSE_TIMEOUT);
                return null;
            }
            if (method.getName().equals("toString") && method.getParameterCount() == 0) {
                return client.toString();
            }
            try {
                return method.invoke(client, args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private static void closeWithin(java.io.Closeable client, Duration timeout) throws java.io.IOException {
        java.util.concurrent.CompletableFuture<Void> closed = new java.util.concurrent.CompletableFuture<>();
        Thread closer = new Thread(() -> {
            try {
                client.close();
                closed.complete(null);
            } catch (Throwable t) {
                closed.completeExceptionally(t);
            }
        }, "sdk-close-" + client);
        closer.setDaemon(true);
        closer.start();
        try {
            closed.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the SDK's close() of " + client + " did not return within " + timeout.toSeconds()
                    + " s: a gRPC call of this client never ended (the SDK waits for its channel to terminate)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while closing " + client);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof java.io.IOException io) {
                throw io;
            }
            throw new java.io.IOException("closing " + client, e.getCause());
        }
    }

    /** A message with a body, one key and a tag (each optional: null leaves it out). */
    public static Message message(String topic, String body, String key, String tag) {
        MessageBuilder builder = PROVIDER.newMessageBuilder().setTopic(topic).setBody(utf8(body));
        if (key != null) {
            builder.setKeys(key);
        }
        if (tag != null) {
            builder.setTag(tag);
        }
        return builder.build();
    }

    public static MessageBuilder messageBuilder(String topic, String body) {
        return PROVIDER.newMessageBuilder().setTopic(topic).setBody(utf8(body));
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A received message's body as text. */
    public static String body(MessageView view) {
        ByteBuffer buffer = view.getBody().duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Receives (and, if {@code ack}, acknowledges) until {@code done} holds for everything received so
     * far, or fails at the deadline. Receive errors count as "nothing this time" and are reported then.
     */
    public static List<MessageView> receiveUntil(SimpleConsumer consumer, boolean ack, Duration timeout,
            Predicate<List<MessageView>> done) {
        List<MessageView> received = new ArrayList<>();
        Await.until("messages on " + consumer.getConsumerGroup() + " (received so far: " + received.size() + ")",
                timeout, () -> {
                    if (done.test(received)) {
                        return true;
                    }
                    for (MessageView view : consumer.receive(16, INVISIBLE)) {
                        received.add(view);
                        if (ack) {
                            consumer.ack(view);
                        }
                    }
                    return done.test(received);
                });
        return received;
    }

    /**
     * Everything a consumer receives (and acknowledges) during {@code window}: to show that nothing
     * (more) arrives. Receive failures are thrown.
     */
    public static List<MessageView> receiveFor(SimpleConsumer consumer, Duration window) throws ClientException {
        List<MessageView> received = new ArrayList<>();
        long end = System.nanoTime() + window.toNanos();
        while (System.nanoTime() < end) {
            for (MessageView view : consumer.receive(16, INVISIBLE)) {
                received.add(view);
                consumer.ack(view);
            }
        }
        return received;
    }

    /** The first {@link ClientException} in a cause chain. */
    public static Optional<ClientException> clientException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ClientException ce) {
                return Optional.of(ce);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return Optional.empty();
    }

    /** A failure as one line per cause, for assertion messages. */
    public static String describe(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (out.length() > 0) {
                out.append(" <- ");
            }
            out.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return out.toString();
    }

    public static void closeQuietly(AutoCloseable... closeables) {
        for (AutoCloseable closeable : closeables) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    GantryStack.log("closing " + closeable + ": " + e);
                }
            }
        }
    }
}
