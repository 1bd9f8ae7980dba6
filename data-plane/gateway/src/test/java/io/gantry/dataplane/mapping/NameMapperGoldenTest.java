package io.gantry.dataplane.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.TextFormat;
import io.gantry.dataplane.pipeline.Refusal;
import io.gantry.dataplane.relay.Rpc;
import io.gantry.dataplane.relay.Rpcs;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One golden fixture per RPC (and per extra case) under {@code src/test/resources/golden}: a request in
 * and the request the proxy must get, a response in and the response the client must get. See the
 * README there for the format and the scope.
 */
class NameMapperGoldenTest {
    static final MappingScope SCOPE = new MappingScope(new TenantNames("rmq-aaaaaaaaaaaa"),
            EndpointsFormat.parse("gateway.example.com:8091"), EndpointsFormat.parse("10.1.2.3:8081"), "rmq-aaaaaaaaaaaa!");

    static Path goldenDir() throws URISyntaxException {
        return Path.of(NameMapperGoldenTest.class.getResource("/golden/README.md").toURI()).getParent();
    }

    static Stream<String> fixtures() throws Exception {
        try (Stream<Path> files = Files.list(goldenDir())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txtpb")).sorted().toList().stream();
        }
    }

    @Test
    void everyRpcHasAFixture() throws Exception {
        List<String> names = fixtures().toList();
        for (Rpc<?, ?> rpc : Rpcs.ALL) {
            assertTrue(names.contains(rpc.name() + ".txtpb"), "no golden fixture for " + rpc.name());
        }
        assertEquals(17, Rpcs.ALL.size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void golden(String file) throws Exception {
        String rpcName = file.replaceAll("[-.].*$", "");
        Rpc<?, ?> rpc = Rpcs.byName(rpcName);
        Map<String, String> sections = sections(goldenDir().resolve(file));
        check(rpc, sections, file);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void check(Rpc rpc, Map<String, String> sections, String file) throws IOException {
        MethodDescriptor method = rpc.method();
        Message reqPrototype = (Message) ((MethodDescriptor.PrototypeMarshaller) method.getRequestMarshaller()).getMessagePrototype();
        Message respPrototype = (Message) ((MethodDescriptor.PrototypeMarshaller) method.getResponseMarshaller()).getMessagePrototype();

        Message requestIn = parse(reqPrototype, sections.get("request in"));
        BiFunction toUpstream = rpc.toUpstream();
        String requestOutHeader = header(sections, "request out");
        if (requestOutHeader.startsWith("request out: refused ")) {
            String code = requestOutHeader.substring("request out: refused ".length()).trim();
            Refusal r = assertThrows(Refusal.class, () -> toUpstream.apply(requestIn, SCOPE), file);
            assertEquals(code, r.code().name(), file + ": " + r.getMessage());
        } else if (requestOutHeader.equals("request out: dropped")) {
            assertNull(toUpstream.apply(requestIn, SCOPE), file);
        } else {
            Message expected = parse(reqPrototype, sections.get("request out"));
            assertEquals(TextFormat.printer().printToString(expected),
                    TextFormat.printer().printToString((Message) toUpstream.apply(requestIn, SCOPE)), file + " request");
        }

        Message responseIn = parse(respPrototype, sections.get("response in"));
        BiFunction toClient = rpc.toClient();
        if (header(sections, "response out").equals("response out: dropped")) {
            assertNull(toClient.apply(responseIn, SCOPE), file + " response must be dropped");
        } else {
            Message expected = parse(respPrototype, sections.get("response out"));
            assertEquals(TextFormat.printer().printToString(expected),
                    TextFormat.printer().printToString((Message) toClient.apply(responseIn, SCOPE)), file + " response");
        }
    }

    private static String header(Map<String, String> sections, String prefix) {
        return sections.keySet().stream().filter(k -> k.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no section " + prefix));
    }

    private static Message parse(Message prototype, String text) throws TextFormat.ParseException {
        Message.Builder b = prototype.newBuilderForType();
        TextFormat.merge(text == null ? "" : text, b);
        return b.build();
    }

    /** "### name" lines start sections; the header line (e.g. "request out: refused X") is the key. */
    static Map<String, String> sections(Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String current = null;
        StringBuilder body = new StringBuilder();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("### ")) {
                if (current != null) {
                    out.put(current, body.toString());
                }
                current = line.substring(4).trim();
                body.setLength(0);
            } else {
                body.append(line).append('\n');
            }
        }
        if (current != null) {
            out.put(current, body.toString());
        }
        for (String key : List.of("request in", "response in")) {
            if (!out.containsKey(key)) {
                throw new AssertionError(file + ": no section '" + key + "'");
            }
        }
        String requestOut = out.keySet().stream().filter(k -> k.startsWith("request out")).findFirst().orElse(null);
        // a fixture with a "request out" section named exactly so must be a forwarded request
        if (requestOut != null && requestOut.equals("request out") && out.get(requestOut).isBlank()) {
            throw new AssertionError(file + ": empty 'request out'");
        }
        return out;
    }

}
