package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.AckMessageResultEntry;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.EndTransactionResponse;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueResponse;
import apache.rocketmq.v2.HeartbeatRequest;
import apache.rocketmq.v2.HeartbeatResponse;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.PullMessageRequest;
import apache.rocketmq.v2.PullMessageResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.SystemProperties;
import apache.rocketmq.v2.TransactionResolution;
import apache.rocketmq.v2.TransactionSource;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.gantry.api.trace.v1.MessageType;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.dataplane.pipeline.CallContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every event type, built from the requests and responses the relay hands the tap (tenant names). */
class TraceRecorderTest {
    static final String CLIENT = "10.0.0.7@4242#1234#5678";
    final TraceBuffer buffer = new TraceBuffer(1024, 1024 * 1024);
    final TraceRecorder recorder = new TraceRecorder(buffer, null);
    final CallContext ctx = TraceFixtures.context(CLIENT);

    static Resource res(String name) {
        return Resource.newBuilder().setName(name).build();
    }

    static Status status(Code code) {
        return Status.newBuilder().setCode(code).setMessage(code.name()).build();
    }

    static Timestamp ts(long millis) {
        return Timestamp.newBuilder().setSeconds(millis / 1000).setNanos((int) (millis % 1000) * 1_000_000).build();
    }

    static Duration seconds(long s) {
        return Duration.newBuilder().setSeconds(s).build();
    }

    List<TraceEvent> events() {
        List<TraceEvent> out = new ArrayList<>();
        TraceBuffer.Entry e;
        while ((e = buffer.poll()) != null) {
            assertEquals(TraceFixtures.CLUSTER, e.clusterId(), "published to the instance's cluster");
            out.add(e.event().build());
        }
        return out;
    }

    /** The proxy accepted every message of the request under its own id: SEND is recorded from that answer. */
    void accepted(SendMessageRequest request, CallContext context) {
        SendMessageResponse.Builder resp = SendMessageResponse.newBuilder().setStatus(status(Code.OK));
        request.getMessagesList().forEach(m -> resp.addEntries(SendResultEntry.newBuilder().setStatus(status(Code.OK))
                .setMessageId(m.getSystemProperties().getMessageId())));
        recorder.onResponse("SendMessage", request, resp.build(), context, System.nanoTime());
    }

    List<TraceEvent> sends() {
        return events().stream().filter(e -> e.getType() == TraceEventType.SEND).toList();
    }

    static Message message(String id, String topic) {
        return Message.newBuilder().setTopic(res(topic)).setBody(ByteString.copyFromUtf8("0123456789"))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId(id)
                        .setMessageType(apache.rocketmq.v2.MessageType.NORMAL)
                        .setBornTimestamp(ts(1_700_000_000_123L)).setBornHost("10.0.0.7"))
                .build();
    }

    @Test
    void sendIsOneSendPerMessageWithWhatTheProducerGave() {
        Message delayed = Message.newBuilder().setTopic(res("orders")).setBody(ByteString.copyFromUtf8("hello world"))
                .putUserProperties("region", "eu").putUserProperties("customer", "42")
                .setSystemProperties(SystemProperties.newBuilder().setMessageId("01AAAA").setTag("created")
                        .addKeys("order-1").addKeys("order-1b").setMessageType(apache.rocketmq.v2.MessageType.DELAY)
                        .setBornTimestamp(ts(1_700_000_000_123L)).setDeliveryTimestamp(ts(1_700_000_060_000L)))
                .build();
        Message fifo = Message.newBuilder().setTopic(res("orders")).setBody(ByteString.EMPTY)
                .setSystemProperties(SystemProperties.newBuilder().setMessageId("01BBBB").setMessageGroup("customer-42")
                        .setMessageType(apache.rocketmq.v2.MessageType.FIFO))
                .build();
        long before = System.currentTimeMillis();
        accepted(SendMessageRequest.newBuilder().addMessages(delayed).addMessages(fifo).build(), ctx);
        List<TraceEvent> events = sends();
        assertEquals(2, events.size());
        TraceEvent e = events.get(0);
        assertEquals(TraceEventType.SEND, e.getType());
        assertEquals(TraceFixtures.INSTANCE, e.getInstanceId());
        assertEquals(TraceFixtures.USERNAME, e.getAccount());
        assertEquals("orders", e.getTopic(), "the tenant's own topic name");
        assertEquals("01AAAA", e.getMessageId());
        assertEquals("created", e.getTag());
        assertEquals(List.of("order-1", "order-1b"), e.getKeysList());
        assertEquals(MessageType.DELAY, e.getMessageType());
        assertEquals(11, e.getBodySize());
        assertEquals(1_700_000_000_123L, e.getBornTimestampMillis());
        assertEquals(1_700_000_060_000L, e.getDeliveryTimestampMillis());
        assertEquals(CLIENT, e.getProducerClientId(), "the client's own id, without the instance prefix");
        assertEquals(java.util.Map.of("region", "eu", "customer", "42"), e.getPropertiesMap());
        assertTrue(e.getTimestampMillis() >= before && e.getTimestampMillis() <= System.currentTimeMillis());
        assertTrue(e.getEventId().isEmpty(), "ids are given by the publisher");

        TraceEvent f = events.get(1);
        assertEquals("01BBBB", f.getMessageId());
        assertEquals(MessageType.FIFO, f.getMessageType());
        assertEquals("customer-42", f.getMessageGroup());
        assertEquals(0, f.getBodySize());
        assertEquals(0, f.getDeliveryTimestampMillis());
    }

    @Test
    void userPropertiesKeysAndTagsAreBounded() {
        Message.Builder m = Message.newBuilder().setTopic(res("orders"))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId("01CCCC").setTag("t".repeat(1000)));
        for (int i = 0; i < 100; i++) {
            m.putUserProperties("k" + i + "-" + "x".repeat(300), "v".repeat(i == 0 ? 5000 : 10));
        }
        for (int i = 0; i < 50; i++) {
            m.getSystemPropertiesBuilder().addKeys("key" + i);
        }
        accepted(SendMessageRequest.newBuilder().addMessages(m).build(), ctx);
        TraceEvent e = sends().get(0);
        assertEquals(TraceRecorder.MAX_PROPERTIES, e.getPropertiesCount());
        e.getPropertiesMap().forEach((k, v) -> {
            assertTrue(k.length() <= TraceRecorder.MAX_CHARS, k);
            assertTrue(v.length() <= TraceRecorder.MAX_CHARS, v);
        });
        assertEquals(TraceRecorder.MAX_KEYS, e.getKeysCount());
        assertEquals(TraceRecorder.MAX_CHARS, e.getTag().length());
    }

    @Test
    void storeIsOnePerEntryWithStatusOffsetAndLatency() {
        SendMessageRequest req = SendMessageRequest.newBuilder().addMessages(message("01A", "orders"))
                .addMessages(message("01B", "orders")).build();
        SendMessageResponse resp = SendMessageResponse.newBuilder().setStatus(status(Code.MULTIPLE_RESULTS))
                .addEntries(SendResultEntry.newBuilder().setStatus(status(Code.OK)).setMessageId("01A").setOffset(17)
                        .setTransactionId("tx-1"))
                .addEntries(SendResultEntry.newBuilder().setStatus(status(Code.MESSAGE_BODY_TOO_LARGE)))
                .build();
        long start = System.nanoTime() - 3_000_000;
        recorder.onResponse("SendMessage", req, resp, ctx, start);
        List<TraceEvent> events = events().stream().filter(e -> e.getType() == TraceEventType.STORE).toList();
        assertEquals(2, events.size());
        TraceEvent ok = events.get(0);
        assertEquals(TraceEventType.STORE, ok.getType());
        assertEquals("OK", ok.getStatus());
        assertEquals("01A", ok.getMessageId());
        assertEquals("orders", ok.getTopic());
        assertEquals(17, ok.getQueueOffset());
        assertEquals("tx-1", ok.getTransactionId());
        assertTrue(ok.getLatencyMicros() >= 3_000, "latency from the request: " + ok.getLatencyMicros());
        TraceEvent refused = events.get(1);
        assertEquals("MESSAGE_BODY_TOO_LARGE", refused.getStatus());
        assertEquals("01B", refused.getMessageId(), "the id the producer gave when the broker named none");

        // an answer without entries (a refusal of the whole call) stands for every message
        recorder.onResponse("SendMessage", req, SendMessageResponse.newBuilder().setStatus(status(Code.TOPIC_NOT_FOUND)).build(),
                ctx, System.nanoTime());
        List<TraceEvent> whole = events();
        assertEquals(2, whole.size());
        assertTrue(whole.stream().allMatch(e -> e.getStatus().equals("TOPIC_NOT_FOUND")));
    }

    @Test
    void deliverCarriesGroupConsumerAttemptAndInvisibleUntil() {
        ReceiveMessageRequest req = ReceiveMessageRequest.newBuilder().setGroup(res("workers"))
                .setInvisibleDuration(seconds(30)).build();
        Message received = message("01D", "orders").toBuilder().setSystemProperties(message("01D", "orders").getSystemProperties()
                .toBuilder().setDeliveryAttempt(3).setQueueId(2).setQueueOffset(99).setReceiptHandle("sealed")).build();
        long before = System.currentTimeMillis();
        recorder.onResponse("ReceiveMessage", req, ReceiveMessageResponse.newBuilder().setStatus(status(Code.OK)).build(), ctx,
                System.nanoTime());
        assertTrue(events().isEmpty(), "a status is no delivery");
        recorder.onResponse("ReceiveMessage", req, ReceiveMessageResponse.newBuilder().setMessage(received).build(), ctx,
                System.nanoTime());
        TraceEvent e = events().get(0);
        assertEquals(TraceEventType.DELIVER, e.getType());
        assertEquals("01D", e.getMessageId());
        assertEquals("orders", e.getTopic());
        assertEquals("workers", e.getConsumerGroup());
        assertEquals(CLIENT, e.getConsumerClientId());
        assertEquals(3, e.getDeliveryAttempt());
        assertEquals(2, e.getQueueId());
        assertEquals(99, e.getQueueOffset());
        assertTrue(e.getInvisibleUntilMillis() >= before + 30_000 && e.getInvisibleUntilMillis() <= System.currentTimeMillis() + 30_000);

        recorder.onResponse("PullMessage", PullMessageRequest.newBuilder().setGroup(res("workers")).build(),
                PullMessageResponse.newBuilder().setMessage(received).build(), ctx, System.nanoTime());
        TraceEvent pulled = events().get(0);
        assertEquals(TraceEventType.DELIVER, pulled.getType());
        assertEquals("workers", pulled.getConsumerGroup());
        assertEquals(0, pulled.getInvisibleUntilMillis(), "a pulled message has no invisible time");
    }

    @Test
    void ackCountsOnlyEntriesTheBrokerAccepted() {
        AckMessageRequest req = AckMessageRequest.newBuilder().setGroup(res("workers")).setTopic(res("orders"))
                .addEntries(AckMessageEntry.newBuilder().setMessageId("01E").setReceiptHandle("h1"))
                .addEntries(AckMessageEntry.newBuilder().setMessageId("01F").setReceiptHandle("h2"))
                .build();
        recorder.onRequest("AckMessage", req, ctx, System.nanoTime());
        assertTrue(events().isEmpty(), "nothing before the broker answered");
        recorder.onResponse("AckMessage", req, AckMessageResponse.newBuilder().setStatus(status(Code.MULTIPLE_RESULTS))
                .addEntries(AckMessageResultEntry.newBuilder().setMessageId("01E").setStatus(status(Code.OK)))
                .addEntries(AckMessageResultEntry.newBuilder().setMessageId("01F").setStatus(status(Code.INVALID_RECEIPT_HANDLE)))
                .build(), ctx, System.nanoTime());
        List<TraceEvent> events = events();
        assertEquals(1, events.size());
        TraceEvent e = events.get(0);
        assertEquals(TraceEventType.ACK, e.getType());
        assertEquals("01E", e.getMessageId());
        assertEquals("orders", e.getTopic());
        assertEquals("workers", e.getConsumerGroup());
        assertEquals(CLIENT, e.getConsumerClientId());

        recorder.onResponse("AckMessage", req, AckMessageResponse.newBuilder().setStatus(status(Code.OK)).build(), ctx,
                System.nanoTime());
        assertEquals(List.of("01E", "01F"), events().stream().map(TraceEvent::getMessageId).toList(), "OK without entries: all");
        recorder.onResponse("AckMessage", req, AckMessageResponse.newBuilder().setStatus(status(Code.INVALID_RECEIPT_HANDLE)).build(),
                ctx, System.nanoTime());
        assertTrue(events().isEmpty());
    }

    @Test
    void changeInvisibleDurationIsANack() {
        ChangeInvisibleDurationRequest req = ChangeInvisibleDurationRequest.newBuilder().setGroup(res("workers"))
                .setTopic(res("orders")).setMessageId("01G").setReceiptHandle("h").setInvisibleDuration(seconds(10)).build();
        long before = System.currentTimeMillis();
        recorder.onResponse("ChangeInvisibleDuration", req,
                ChangeInvisibleDurationResponse.newBuilder().setStatus(status(Code.OK)).setReceiptHandle("h2").build(), ctx,
                System.nanoTime());
        TraceEvent e = events().get(0);
        assertEquals(TraceEventType.NACK, e.getType());
        assertEquals("01G", e.getMessageId());
        assertEquals("workers", e.getConsumerGroup());
        assertTrue(e.getInvisibleUntilMillis() >= before + 10_000);
        recorder.onResponse("ChangeInvisibleDuration", req,
                ChangeInvisibleDurationResponse.newBuilder().setStatus(status(Code.INVALID_RECEIPT_HANDLE)).build(), ctx,
                System.nanoTime());
        assertTrue(events().isEmpty(), "a refused change changed nothing");
    }

    @Test
    void forwardToDeadLetterQueueIsADlqByTheClient() {
        ForwardMessageToDeadLetterQueueRequest req = ForwardMessageToDeadLetterQueueRequest.newBuilder().setGroup(res("workers"))
                .setTopic(res("orders")).setMessageId("01H").setReceiptHandle("h").setDeliveryAttempt(4).setMaxDeliveryAttempts(4)
                .build();
        recorder.onResponse("ForwardMessageToDeadLetterQueue", req,
                ForwardMessageToDeadLetterQueueResponse.newBuilder().setStatus(status(Code.OK)).build(), ctx, System.nanoTime());
        TraceEvent e = events().get(0);
        assertEquals(TraceEventType.DLQ, e.getType());
        assertEquals("CLIENT", e.getDlqSource());
        assertEquals("01H", e.getMessageId());
        assertEquals("workers", e.getConsumerGroup());
        assertEquals(4, e.getDeliveryAttempt());
    }

    @Test
    void endTransactionIsCommitRollbackOrUnknownWithItsSource() {
        EndTransactionRequest.Builder req = EndTransactionRequest.newBuilder().setTopic(res("payments")).setMessageId("01I")
                .setTransactionId("tx-9");
        EndTransactionResponse ok = EndTransactionResponse.newBuilder().setStatus(status(Code.OK)).build();
        recorder.onResponse("EndTransaction", req.setResolution(TransactionResolution.COMMIT).setSource(TransactionSource.SOURCE_CLIENT)
                .build(), ok, ctx, System.nanoTime());
        recorder.onResponse("EndTransaction", req.setResolution(TransactionResolution.ROLLBACK)
                .setSource(TransactionSource.SOURCE_SERVER_CHECK).build(), ok, ctx, System.nanoTime());
        recorder.onResponse("EndTransaction", req.setResolution(TransactionResolution.TRANSACTION_RESOLUTION_UNSPECIFIED)
                .setSource(TransactionSource.SOURCE_SERVER_CHECK).build(), ok, ctx, System.nanoTime());
        recorder.onResponse("EndTransaction", req.setResolution(TransactionResolution.COMMIT).build(),
                EndTransactionResponse.newBuilder().setStatus(status(Code.INVALID_TRANSACTION_ID)).build(), ctx, System.nanoTime());
        List<TraceEvent> events = events();
        assertEquals(List.of(TraceEventType.COMMIT, TraceEventType.ROLLBACK, TraceEventType.CHECK_UNKNOWN),
                events.stream().map(TraceEvent::getType).toList());
        assertEquals(List.of("CLIENT", "SERVER_CHECK", "SERVER_CHECK"), events.stream().map(TraceEvent::getTransactionSource).toList());
        assertTrue(events.stream().allMatch(e -> e.getMessageId().equals("01I") && e.getTransactionId().equals("tx-9")
                && e.getTopic().equals("payments") && e.getProducerClientId().equals(CLIENT)));
    }

    @Test
    void otherCallsMakeNoEventsAndNothingThrowsIntoTheRelay() {
        recorder.onRequest("Heartbeat", HeartbeatRequest.getDefaultInstance(), ctx, System.nanoTime());
        recorder.onResponse("Heartbeat", HeartbeatRequest.getDefaultInstance(), HeartbeatResponse.getDefaultInstance(), ctx,
                System.nanoTime());
        recorder.onResponse("QueryRoute", null, null, ctx, System.nanoTime());
        // a request of the wrong type (a bug elsewhere) loses the event, not the call
        recorder.onRequest("SendMessage", HeartbeatRequest.getDefaultInstance(), ctx, System.nanoTime());
        recorder.onResponse("AckMessage", null, null, ctx, System.nanoTime());
        assertTrue(events().isEmpty());
    }

    @Test
    void aCallWithoutClientIdHasAnEmptyOne() {
        accepted(SendMessageRequest.newBuilder().addMessages(message("01J", "orders")).build(), TraceFixtures.context(null));
        assertEquals("", sends().get(0).getProducerClientId());
        assertFalse(TraceRecorder.ownClientId(ctx).contains("!"));
    }
}
