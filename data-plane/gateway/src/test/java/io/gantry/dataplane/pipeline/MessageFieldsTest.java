package io.gantry.dataplane.pipeline;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The bounds of message ids and producer timestamps, at their edges. */
class MessageFieldsTest {
    static final long NOW = Instant.parse("2026-12-04T00:00:00Z").getEpochSecond();

    static SendMessageRequest send(String id, Timestamp born, Timestamp delivery) {
        SystemProperties.Builder sp = SystemProperties.newBuilder().setMessageId(id);
        if (born != null) {
            sp.setBornTimestamp(born);
        }
        if (delivery != null) {
            sp.setDeliveryTimestamp(delivery);
        }
        return SendMessageRequest.newBuilder().addMessages(Message.newBuilder().setTopic(Resource.newBuilder().setName("orders"))
                .setSystemProperties(sp)).build();
    }

    static Timestamp at(long seconds) {
        return Timestamp.newBuilder().setSeconds(seconds).build();
    }

    static Code refusal(SendMessageRequest request) {
        return assertThrows(Refusal.class, () -> MessageFields.checkSend(request, null, NOW)).code();
    }

    @Test
    void idsAreOneTo128OfTheRestApisCharacters() {
        assertTrue(MessageFields.validMessageId("a".repeat(128)));
        assertFalse(MessageFields.validMessageId("a".repeat(129)));
        assertFalse(MessageFields.validMessageId(""));
        assertFalse(MessageFields.validMessageId("01/AB"));
        assertFalse(MessageFields.validMessageId("01AB\n"));
        assertEquals(Code.ILLEGAL_MESSAGE_ID, refusal(send("0".repeat(3_000), at(NOW), null)));
    }

    @Test
    void bornTimeWithinTwoThousandAndADayAhead() {
        assertDoesNotThrow(() -> MessageFields.checkSend(send("01A", at(NOW + 86_400), null), null, NOW));
        assertDoesNotThrow(() -> MessageFields.checkSend(send("01A", at(MessageFields.EARLIEST_SECONDS), null), null, NOW));
        assertDoesNotThrow(() -> MessageFields.checkSend(send("01A", null, null), null, NOW), "no born time: nothing traced");
        assertEquals(Code.BAD_REQUEST, refusal(send("01A", at(NOW + 86_401), null)));
        assertEquals(Code.BAD_REQUEST, refusal(send("01A", at(Instant.parse("+10000-01-01T00:00:00Z").getEpochSecond()), null)));
        assertEquals(Code.BAD_REQUEST, refusal(send("01A", at(-1), null)));
        assertEquals(Code.BAD_REQUEST, refusal(send("01A", Timestamp.newBuilder().setSeconds(NOW).setNanos(-5).build(), null)));
    }

    @Test
    void deliveryTimeAtMost400DaysAhead() {
        assertDoesNotThrow(() -> MessageFields.checkSend(send("01A", at(NOW), at(NOW + MessageFields.MAX_DELAY_SECONDS)), null, NOW));
        assertEquals(Code.ILLEGAL_DELIVERY_TIME, refusal(send("01A", at(NOW), at(NOW + MessageFields.MAX_DELAY_SECONDS + 1))));
        assertEquals(Code.ILLEGAL_DELIVERY_TIME, refusal(send("01A", at(NOW), at(Long.MAX_VALUE / 2))));
    }
}
