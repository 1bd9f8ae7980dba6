package io.gantry.dataplane.trace;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.Resource;
import io.gantry.dataplane.pipeline.CallContext;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.dataplane.relay.Rpc;
import io.gantry.dataplane.relay.Rpcs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 14, hole 1: a message id the trace store cannot index (3,000 characters, odd characters) named
 * by a consumer or a transaction is refused at admission with ILLEGAL_MESSAGE_ID, before it is forwarded
 * or traced. (SendMessage is covered end to end by {@code PoisonFieldsIT}.)
 */
class PoisonFieldAdmissionTest {
    static final String LONG_ID = "0".repeat(3_000);
    final CallContext ctx = TraceFixtures.context("client-1");

    static Resource res(String name) {
        return Resource.newBuilder().setName(name).build();
    }

    static <Req> Executable admit(Rpc<Req, ?> rpc, Req request, CallContext ctx) {
        return () -> rpc.admission().accept(request, ctx);
    }

    void refused(Executable call, String what) {
        Refusal r = assertThrows(Refusal.class, call, what + " was admitted");
        assertEquals(Code.ILLEGAL_MESSAGE_ID, r.code(), what + ": " + r.getMessage());
        assertTrue(r.getMessage().length() < 400, "the error names the id without echoing it: " + r.getMessage().length());
        assertTrue(r.getMessage().contains(TraceFixtures.INSTANCE), r.getMessage());
    }

    AckMessageRequest ack(String id) {
        return AckMessageRequest.newBuilder().setGroup(res("workers")).setTopic(res("orders"))
                .addEntries(AckMessageEntry.newBuilder().setMessageId("01GOOD").setReceiptHandle("h"))
                .addEntries(AckMessageEntry.newBuilder().setMessageId(id).setReceiptHandle("h")).build();
    }

    ChangeInvisibleDurationRequest nack(String id) {
        return ChangeInvisibleDurationRequest.newBuilder().setGroup(res("workers")).setTopic(res("orders")).setMessageId(id)
                .setReceiptHandle("h").build();
    }

    ForwardMessageToDeadLetterQueueRequest dlq(String id) {
        return ForwardMessageToDeadLetterQueueRequest.newBuilder().setGroup(res("workers")).setTopic(res("orders"))
                .setMessageId(id).setReceiptHandle("h").build();
    }

    EndTransactionRequest end(String id) {
        return EndTransactionRequest.newBuilder().setTopic(res("orders")).setMessageId(id).setTransactionId("tx").build();
    }

    @Test
    void consumersNamingAPoisonIdAreRefused() {
        for (String bad : new String[] {LONG_ID, "", "01 AB", "01%AB", "01\u0000AB", "ü".repeat(10), "a".repeat(129)}) {
            refused(admit(Rpcs.ACK_MESSAGE, ack(bad), ctx), "ack of " + bad.length() + " chars");
            refused(admit(Rpcs.CHANGE_INVISIBLE_DURATION, nack(bad), ctx), "nack of " + bad.length() + " chars");
            refused(admit(Rpcs.FORWARD_MESSAGE_TO_DEAD_LETTER_QUEUE, dlq(bad), ctx), "forward of " + bad.length() + " chars");
            refused(admit(Rpcs.END_TRANSACTION, end(bad), ctx), "end transaction of " + bad.length() + " chars");
        }
    }

    @Test
    void idsAsTheSdksMakeThemPass() {
        for (String good : new String[] {"01F8A3C2B0D4E5F60718293A4B5C6D7E8F", "7F0000011F9018B4AAC2", "a".repeat(128), "A-b_9"}) {
            assertDoesNotThrow(admit(Rpcs.ACK_MESSAGE, ack(good), ctx));
            assertDoesNotThrow(admit(Rpcs.CHANGE_INVISIBLE_DURATION, nack(good), ctx));
            assertDoesNotThrow(admit(Rpcs.FORWARD_MESSAGE_TO_DEAD_LETTER_QUEUE, dlq(good), ctx));
            assertDoesNotThrow(admit(Rpcs.END_TRANSACTION, end(good), ctx));
        }
    }
}
