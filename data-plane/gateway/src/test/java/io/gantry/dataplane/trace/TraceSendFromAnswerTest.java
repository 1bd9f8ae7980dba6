package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventType;
import io.gantry.dataplane.pipeline.CallContext;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, holes 1 and 3 on the recorder's side: a SEND is recorded from the proxy's answer, only for
 * what it took and under the id it answered; no event grows past the event size limit; an invisible
 * duration cannot overflow into a time the trace store cannot hold.
 */
class TraceSendFromAnswerTest {
    final TraceBuffer buffer = new TraceBuffer(1024, 64L * 1024 * 1024);
    final TraceRecorder recorder = new TraceRecorder(buffer, null);
    final CallContext ctx = TraceFixtures.context("client-1");

    List<TraceEvent> events() {
        List<TraceEvent> out = new ArrayList<>();
        TraceBuffer.Entry e;
        while ((e = buffer.poll()) != null) {
            out.add(e.event().build());
        }
        return out;
    }

    static Message message(String id) {
        return Message.newBuilder().setTopic(TraceRecorderTest.res("orders")).setBody(ByteString.copyFromUtf8("body"))
                .setSystemProperties(SystemProperties.newBuilder().setMessageId(id).addKeys("k-" + id)
                        .setMessageType(apache.rocketmq.v2.MessageType.NORMAL).setBornTimestamp(TraceRecorderTest.ts(1_700_000_000_000L)))
                .build();
    }

    @Test
    void nothingIsRecordedBeforeTheProxyAnswers() {
        SendMessageRequest req = SendMessageRequest.newBuilder().addMessages(message("01CLIENTID")).build();
        recorder.onRequest("SendMessage", req, ctx, System.nanoTime());
        assertEquals(List.of(), events(), "a request the proxy has not answered is no message yet");
    }

    @Test
    void sendIsRecordedFromTheAnswerWithTheProxysIdAndOnlyForAcceptedMessages() {
        SendMessageRequest req = SendMessageRequest.newBuilder().addMessages(message("01CLIENTA")).addMessages(message("01CLIENTB"))
                .build();
        long start = System.nanoTime() - 5_000_000;
        recorder.onRequest("SendMessage", req, ctx, start);
        SendMessageResponse resp = SendMessageResponse.newBuilder().setStatus(TraceRecorderTest.status(Code.MULTIPLE_RESULTS))
                .addEntries(SendResultEntry.newBuilder().setStatus(TraceRecorderTest.status(Code.OK)).setMessageId("01PROXYA").setOffset(3))
                .addEntries(SendResultEntry.newBuilder().setStatus(TraceRecorderTest.status(Code.TOO_MANY_REQUESTS)))
                .build();
        long now = System.currentTimeMillis();
        recorder.onResponse("SendMessage", req, resp, ctx, start);
        List<TraceEvent> events = events();
        List<TraceEvent> sends = events.stream().filter(e -> e.getType() == TraceEventType.SEND).toList();
        assertEquals(1, sends.size(), "one SEND, for the accepted message: " + events);
        TraceEvent send = sends.get(0);
        assertEquals("01PROXYA", send.getMessageId(), "the id the proxy answered");
        assertEquals(List.of("k-01CLIENTA"), send.getKeysList());
        assertEquals("client-1", send.getProducerClientId());
        assertTrue(send.getTimestampMillis() <= now - 4, "the request's time, not the answer's: " + (now - send.getTimestampMillis()));
        List<TraceEvent> stores = events.stream().filter(e -> e.getType() == TraceEventType.STORE).toList();
        assertEquals(List.of("OK", "TOO_MANY_REQUESTS"), stores.stream().map(TraceEvent::getStatus).toList());

        recorder.onResponse("SendMessage", req, SendMessageResponse.newBuilder()
                .setStatus(TraceRecorderTest.status(Code.TOPIC_NOT_FOUND)).build(), ctx, System.nanoTime());
        assertTrue(events().stream().noneMatch(e -> e.getType() == TraceEventType.SEND), "a refused call is no message");
    }

    @Test
    void anEventStaysWithinTheSizeLimitHoweverManyLongKeysAndPropertiesItCarries() {
        Message.Builder m = message("01BIG").toBuilder();
        m.getSystemPropertiesBuilder().clearKeys();
        String wide = "€".repeat(1000); // three bytes each in UTF-8
        for (int i = 0; i < 40; i++) {
            m.getSystemPropertiesBuilder().addKeys(i + wide);
            m.putUserProperties(i + wide, wide);
        }
        SendMessageRequest req = SendMessageRequest.newBuilder().addMessages(m).build();
        recorder.onResponse("SendMessage", req, SendMessageResponse.newBuilder().setStatus(TraceRecorderTest.status(Code.OK))
                .addEntries(SendResultEntry.newBuilder().setStatus(TraceRecorderTest.status(Code.OK)).setMessageId("01BIG")).build(),
                ctx, System.nanoTime());
        TraceEvent send = events().stream().filter(e -> e.getType() == TraceEventType.SEND).findFirst().orElseThrow();
        assertTrue(send.getSerializedSize() <= 64 * 1024, "event of " + send.getSerializedSize() + " bytes");
        assertTrue(send.getKeysCount() > 0 && send.getPropertiesCount() > 0, "keys and properties kept up to the limit");
    }

    @Test
    void aHugeInvisibleDurationDoesNotOverflowIntoAnImpossibleTime() {
        ChangeInvisibleDurationRequest req = ChangeInvisibleDurationRequest.newBuilder().setGroup(TraceRecorderTest.res("workers"))
                .setTopic(TraceRecorderTest.res("orders")).setMessageId("01NACK")
                .setInvisibleDuration(Duration.newBuilder().setSeconds(Long.MAX_VALUE / 1000)).build();
        recorder.onResponse("ChangeInvisibleDuration", req, ChangeInvisibleDurationResponse.newBuilder()
                .setStatus(TraceRecorderTest.status(Code.OK)).build(), ctx, System.nanoTime());
        TraceEvent nack = events().get(0);
        long year9999 = java.time.Instant.parse("9999-12-31T23:59:59Z").toEpochMilli();
        assertTrue(nack.getInvisibleUntilMillis() > nack.getTimestampMillis() && nack.getInvisibleUntilMillis() < year9999,
                "invisible until " + nack.getInvisibleUntilMillis());
    }
}
