package io.gantry.dataplane.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Endpoints;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SystemProperties;
import io.gantry.dataplane.pipeline.Refusal;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Receipt handles are bound to the instance that received them; forged or foreign ones never go upstream. */
class ReceiptHandleSealTest {
    private static final String A = "rmq-aaaaaaaaaaaa";
    private static final String B = "rmq-bbbbbbbbbbbb";
    private static final String HANDLE = "0 1764000000000 30000 1 0 gantry-broker-a 0 0 888";
    private static final ReceiptHandleSeal SEAL = ReceiptHandleSeal.of("k".repeat(32).getBytes(StandardCharsets.UTF_8));

    private static MappingScope scope(String instance) {
        Endpoints e = Endpoints.getDefaultInstance();
        return new MappingScope(new TenantNames(instance), e, e, instance + "!", instance, SEAL);
    }

    @Test
    void aHandleSealedForAnInstanceOpensOnlyForIt() {
        String sealed = SEAL.seal(A, HANDLE);
        assertNotEquals(HANDLE, sealed);
        assertEquals(HANDLE, SEAL.open(A, sealed));
        assertEquals(Code.INVALID_RECEIPT_HANDLE, assertThrows(Refusal.class, () -> SEAL.open(B, sealed)).code());
    }

    @Test
    void forgedAndBareHandlesAreRefused() {
        String sealed = SEAL.seal(A, HANDLE);
        String otherOffset = sealed.replace(" 888~", " 777~");
        for (String forged : new String[] {HANDLE, otherOffset, HANDLE + "~g1~", HANDLE + "~g1~AAAAAAAAAAAAAAAAAAAAAA"}) {
            assertEquals(Code.INVALID_RECEIPT_HANDLE, assertThrows(Refusal.class, () -> SEAL.open(A, forged)).code(), forged);
        }
    }

    @Test
    void receivedMessagesCarrySealedHandlesAndAcksAndDlqForwardsUnsealThem() {
        Message upstream = Message.newBuilder().setTopic(Resource.newBuilder().setResourceNamespace(A).setName("orders"))
                .setSystemProperties(SystemProperties.newBuilder().setReceiptHandle(HANDLE)).build();
        Message toClient = NameMapper.messageToClient(upstream, scope(A));
        String clientHandle = toClient.getSystemProperties().getReceiptHandle();
        assertEquals(SEAL.seal(A, HANDLE), clientHandle);

        AckMessageRequest ack = AckMessageRequest.newBuilder().setTopic(Resource.newBuilder().setName("orders"))
                .setGroup(Resource.newBuilder().setName("workers"))
                .addEntries(AckMessageEntry.newBuilder().setMessageId("m").setReceiptHandle(clientHandle)).build();
        assertEquals(HANDLE, NameMapper.toUpstream(ack, scope(A)).getEntries(0).getReceiptHandle());

        ForwardMessageToDeadLetterQueueRequest stolen = ForwardMessageToDeadLetterQueueRequest.newBuilder()
                .setTopic(Resource.newBuilder().setName("orders")).setGroup(Resource.newBuilder().setName("workers"))
                .setReceiptHandle(clientHandle).setMessageId("m").build();
        assertEquals(Code.INVALID_RECEIPT_HANDLE,
                assertThrows(Refusal.class, () -> NameMapper.toUpstream(stolen, scope(B))).code());
        assertEquals(HANDLE, NameMapper.toUpstream(stolen, scope(A)).getReceiptHandle());
    }
}
