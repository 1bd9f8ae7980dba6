package io.gantry.dataplane.relay;

import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;

/**
 * Parses a protobuf message dropping every field this gateway's {@code rocketmq-proto} does not know,
 * at any depth. What the gateway does not know it cannot map, so it must not pass: a newer SDK's or
 * proxy's field carrying a resource name would otherwise cross the gateway un-namespaced. Used for
 * requests from clients and responses from proxies; serialization is protobuf's own.
 */
final class DiscardingMarshaller<T extends Message> implements MethodDescriptor.PrototypeMarshaller<T> {
    private final T prototype;
    private final Parser<T> parser;
    private final MethodDescriptor.Marshaller<T> writer;

    @SuppressWarnings("unchecked")
    DiscardingMarshaller(T prototype) {
        this.prototype = prototype;
        this.parser = DiscardUnknownFieldsParser.wrap((Parser<T>) prototype.getParserForType());
        this.writer = ProtoUtils.marshaller(prototype);
    }

    @SuppressWarnings("unchecked")
    static <T> MethodDescriptor.Marshaller<T> of(MethodDescriptor.Marshaller<T> original) {
        Object prototype = ((MethodDescriptor.PrototypeMarshaller<T>) original).getMessagePrototype();
        return (MethodDescriptor.Marshaller<T>) new DiscardingMarshaller<>((Message) prototype);
    }

    @Override
    public T getMessagePrototype() {
        return prototype;
    }

    @Override
    public Class<T> getMessageClass() {
        @SuppressWarnings("unchecked")
        Class<T> c = (Class<T>) prototype.getClass();
        return c;
    }

    @Override
    public InputStream stream(T value) {
        return writer.stream(value);
    }

    /**
     * All bytes of a message. grpc's message streams know their length ({@code available()} is exact):
     * one array of that size, instead of {@code readAllBytes}' 8 KiB buffer and a copy per message.
     */
    static byte[] readFully(InputStream stream) throws IOException {
        int size = stream.available();
        if (size <= 0) {
            return stream.readAllBytes();
        }
        byte[] bytes = new byte[size];
        int n = stream.readNBytes(bytes, 0, size);
        if (n < size) {
            return java.util.Arrays.copyOf(bytes, n);
        }
        int next = stream.read();
        if (next < 0) {
            return bytes;
        }
        // available() was only an estimate: append the rest
        byte[] rest = stream.readAllBytes();
        byte[] all = new byte[bytes.length + 1 + rest.length];
        System.arraycopy(bytes, 0, all, 0, bytes.length);
        all[bytes.length] = (byte) next;
        System.arraycopy(rest, 0, all, bytes.length + 1, rest.length);
        return all;
    }

    @Override
    public T parse(InputStream stream) {
        try {
            return parser.parseFrom(readFully(stream));
        } catch (InvalidProtocolBufferException e) {
            throw Status.INTERNAL.withDescription("invalid protobuf message").withCause(e).asRuntimeException();
        } catch (IOException e) {
            throw Status.INTERNAL.withDescription("cannot read message").withCause(e).asRuntimeException();
        }
    }
}
