import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * A tiny producer and consumer with the official RocketMQ 5 Java SDK, using nothing but what the
 * Gantry API shows: the instance's endpoint, an account's access key and secret, a topic and a group.
 *
 * <pre>java -cp "$SDK_CLASSPATH" data-plane/examples/QuickStart.java ENDPOINT ACCESS_KEY SECRET_KEY TOPIC GROUP [COUNT]</pre>
 */
public class QuickStart {
    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: QuickStart ENDPOINT ACCESS_KEY SECRET_KEY TOPIC GROUP [COUNT]");
            System.exit(2);
        }
        String endpoint = args[0], accessKey = args[1], secretKey = args[2], topic = args[3], group = args[4];
        int count = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        ClientServiceProvider provider = ClientServiceProvider.loadService();
        // TLS is the SDK's default; the gateway serves TLS on its SDK port.
        ClientConfiguration config = ClientConfiguration.newBuilder()
                .setEndpoints(endpoint)
                .setCredentialProvider(new StaticSessionCredentialsProvider(accessKey, secretKey))
                .build();

        Set<String> sent = Collections.synchronizedSet(new HashSet<>());
        try (SimpleConsumer consumer = provider.newSimpleConsumerBuilder().setClientConfiguration(config)
                .setConsumerGroup(group).setAwaitDuration(Duration.ofSeconds(5))
                .setSubscriptionExpressions(Collections.singletonMap(topic, FilterExpression.SUB_ALL)).build();
             Producer producer = provider.newProducerBuilder().setClientConfiguration(config).setTopics(topic).build()) {
            for (int i = 0; i < count; i++) {
                String body = "hello gantry #" + i;
                var receipt = producer.send(provider.newMessageBuilder().setTopic(topic).setTag("quickstart")
                        .setKeys("key-" + i).setBody(body.getBytes(StandardCharsets.UTF_8)).build());
                sent.add(body);
                System.out.println("sent     " + receipt.getMessageId() + "  " + body);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!sent.isEmpty() && System.nanoTime() < deadline) {
                List<MessageView> messages = consumer.receive(16, Duration.ofSeconds(30));
                for (MessageView m : messages) {
                    String body = StandardCharsets.UTF_8.decode(m.getBody()).toString();
                    System.out.println("received " + m.getMessageId() + "  " + body + "  (topic " + m.getTopic() + ")");
                    consumer.ack(m);
                    sent.remove(body);
                }
            }
        }
        if (!sent.isEmpty()) {
            System.err.println("not received within 60 s: " + sent);
            System.exit(1);
        }
        System.out.println("all " + count + " messages arrived");
    }
}
