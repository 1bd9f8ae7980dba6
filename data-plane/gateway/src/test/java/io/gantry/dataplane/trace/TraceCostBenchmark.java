package io.gantry.dataplane.trace;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.gantry.dataplane.metrics.GatewayMetrics;
import io.gantry.dataplane.pipeline.CallContext;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Not a test: the CPU tracing adds per message, on the event loop (the calling thread here) and on the
 * publisher thread (drain, ids, build, serialize; the send itself is left out: one ~1 MiB SendMessage
 * per 1,000 events). Messages as the Java SDK sends them (1 KiB body, id, tag, one key, born time/host).
 *
 * <pre>
 * cd data-plane/gateway
 * mvn -q dependency:build-classpath -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test.cp) io.gantry.dataplane.trace.TraceCostBenchmark 2000000
 * </pre>
 */
public final class TraceCostBenchmark {
    private TraceCostBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CallContext ctx = TraceFixtures.context("10.0.0.7@4242#1234#5678");
        TraceBuffer buffer = new TraceBuffer(65_536, 64L * 1024 * 1024);
        AtomicLong publisherThread = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        GatewayMetrics metrics = new GatewayMetrics();
        TracePublisher publisher = new TracePublisher("gateway@bench", buffer, batch -> {
            publisherThread.set(Thread.currentThread().getId());
            bytes.addAndGet(batch.body().size());
            return CompletableFuture.completedFuture(null);
        }, metrics, TracePublisher.Limits.DEFAULT);
        publisher.start();
        TraceRecorder recorder = new TraceRecorder(buffer, publisher);

        ByteString body = ByteString.copyFrom(new byte[1024]);
        Resource topic = Resource.newBuilder().setName("orders").build();
        Resource group = Resource.newBuilder().setName("workers").build();
        Status ok = Status.newBuilder().setCode(Code.OK).setMessage("OK").build();
        ReceiveMessageRequest receive = ReceiveMessageRequest.newBuilder().setGroup(group)
                .setInvisibleDuration(Duration.newBuilder().setSeconds(30)).build();

        String[][] phases = {
                {"warm-up", "lifecycle", "traced"}, {"warm-up", "lifecycle", "baseline"},
                {"producer (SEND + STORE)", "producer", "baseline"}, {"producer (SEND + STORE)", "producer", "traced"},
                {"lifecycle (SEND + STORE + DELIVER + ACK)", "lifecycle", "baseline"},
                {"lifecycle (SEND + STORE + DELIVER + ACK)", "lifecycle", "traced"}};
        double baselineMicros = 0;
        double baselineProcessMicros = 0;
        com.sun.management.OperatingSystemMXBean process =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String[] phase : phases) {
            boolean lifecycle = phase[1].equals("lifecycle");
            boolean traced = phase[2].equals("traced");
            long published = metrics.traceEvents(TracePublisher.PUBLISHED);
            long pub0 = publisherThread.get() == 0 ? 0 : threads.getThreadCpuTime(publisherThread.get());
            long process0 = process.getProcessCpuTime();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long events = 0;
            for (int i = 0; i < messages; i++) {
                // the relay has these already; built in the baseline too, so that the difference is the recorder
                String id = "01" + Long.toHexString(0x1000_0000_0000L + i);
                long now = System.currentTimeMillis();
                Message m = Message.newBuilder().setTopic(topic).setBody(body)
                        .setSystemProperties(SystemProperties.newBuilder().setMessageId(id).setTag("created").addKeys(id)
                                .setMessageType(apache.rocketmq.v2.MessageType.NORMAL).setBodyEncoding(Encoding.IDENTITY)
                                .setBornHost("10.0.0.7").setBornTimestamp(Timestamp.newBuilder().setSeconds(now / 1000)))
                        .build();
                SendMessageRequest send = SendMessageRequest.newBuilder().addMessages(m).build();
                SendMessageResponse sent = SendMessageResponse.newBuilder().setStatus(ok)
                        .addEntries(SendResultEntry.newBuilder().setStatus(ok).setMessageId(id).setOffset(i)).build();
                ReceiveMessageResponse delivered = null;
                AckMessageRequest ack = null;
                AckMessageResponse acked = null;
                if (lifecycle) {
                    delivered = ReceiveMessageResponse.newBuilder().setMessage(m.toBuilder().setSystemProperties(
                            m.getSystemProperties().toBuilder().setDeliveryAttempt(1).setReceiptHandle("h"))).build();
                    ack = AckMessageRequest.newBuilder().setGroup(group).setTopic(topic)
                            .addEntries(AckMessageEntry.newBuilder().setMessageId(id).setReceiptHandle("h")).build();
                    acked = AckMessageResponse.newBuilder().setStatus(ok).build();
                }
                if (!traced) {
                    continue;
                }
                long start = System.nanoTime();
                recorder.onRequest("SendMessage", send, ctx, start);
                recorder.onResponse("SendMessage", send, sent, ctx, start);
                events += 2;
                if (lifecycle) {
                    recorder.onResponse("ReceiveMessage", receive, delivered, ctx, start);
                    recorder.onResponse("AckMessage", ack, acked, ctx, start);
                    events += 2;
                }
                if ((i & 1023) == 0) {
                    while (buffer.size() > 32_768) {
                        Thread.sleep(1);
                    }
                }
            }
            double micros = (threads.getCurrentThreadCpuTime() - cpu0) / 1000.0 / messages;
            while (metrics.traceEvents(TracePublisher.PUBLISHED) - published < events) {
                Thread.sleep(10);
            }
            long pubCpu = publisherThread.get() == 0 ? 0 : threads.getThreadCpuTime(publisherThread.get()) - pub0;
            double processMicros = (process.getProcessCpuTime() - process0) / 1000.0 / messages;
            if (phase[0].equals("warm-up")) {
                continue;
            }
            if (!traced) {
                baselineMicros = micros;
                baselineProcessMicros = processMicros;
                continue;
            }
            System.out.printf("%s: %d messages, %d events, dropped %d%n", phase[0], messages, events,
                    metrics.traceEvents(TracePublisher.DROPPED_BUFFER_FULL));
            System.out.printf("  event loop (recorder calls): %.2f us/msg (%.2f traced - %.2f building the protos)%n",
                    micros - baselineMicros, micros, baselineMicros);
            System.out.printf("  publisher thread (drain, id, build, serialize): %.2f us/msg, %.0f bytes/event%n",
                    pubCpu / 1000.0 / messages, bytes.get() / (double) metrics.traceEvents(TracePublisher.PUBLISHED));
            System.out.printf("  whole process (all threads, GC included): +%.2f us/msg%n", processMicros - baselineProcessMicros);
        }
        recorder.close(1_000);
    }
}
