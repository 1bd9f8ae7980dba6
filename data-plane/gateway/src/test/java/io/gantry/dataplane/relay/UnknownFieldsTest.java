package io.gantry.dataplane.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

class UnknownFieldsTest {
    @Test
    void fieldsTheGatewayCannotMapNeverPass() {
        // a newer SDK's field 99 holding a name, at the top and inside the topic Resource
        UnknownFieldSet smuggled = UnknownFieldSet.newBuilder().addField(99, UnknownFieldSet.Field.newBuilder()
                .addLengthDelimited(ByteString.copyFromUtf8("rmq-bbbbbbbbbbbb%orders")).build()).build();
        SendMessageRequest sent = SendMessageRequest.newBuilder().setUnknownFields(smuggled)
                .addMessages(Message.newBuilder().setTopic(Resource.newBuilder().setName("orders").setUnknownFields(smuggled))
                        .setBody(ByteString.copyFromUtf8("x")))
                .build();
        MethodDescriptor<SendMessageRequest, ?> served = Rpcs.SEND_MESSAGE.serverMethod();
        SendMessageRequest parsed = served.parseRequest(new ByteArrayInputStream(sent.toByteArray()));
        assertTrue(parsed.getUnknownFields().asMap().isEmpty());
        assertTrue(parsed.getMessages(0).getTopic().getUnknownFields().asMap().isEmpty());
        assertEquals("orders", parsed.getMessages(0).getTopic().getName());
        assertEquals(17, Rpcs.ALL.size());
    }
}
