package io.gantry.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class ErrorCatalogTest {
    private static JsonNode spec() throws Exception {
        try (InputStream in = ErrorCatalogTest.class.getResourceAsStream("/gantry/api/openapi.yaml")) {
            return new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    @Test
    void theSpecListsExactlyTheCatalogsCodes() throws Exception {
        JsonNode values = spec().at("/components/schemas/ErrorCode/enum");
        List<String> inSpec = StreamSupport.stream(values.spliterator(), false).map(JsonNode::asText).toList();
        List<String> inCode = Arrays.stream(ErrorCode.values()).map(Enum::name).toList();
        assertEquals(inCode, inSpec);
    }

    @Test
    void everyCodeHasAnErrorStatusAndADescription() {
        for (ErrorCode code : ErrorCode.values()) {
            assertTrue(code.httpStatus() >= 400 && code.httpStatus() < 600, code.name());
            assertTrue(!code.description().isBlank(), code.name());
        }
    }

    @Test
    void everyOperationHasAnIdAndDocumentsAuthenticationFailures() throws Exception {
        JsonNode paths = spec().get("paths");
        paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (op.getKey().equals("parameters")) {
                return;
            }
            assertTrue(op.getValue().hasNonNull("operationId"), path.getKey() + " " + op.getKey());
            assertTrue(op.getValue().at("/responses/401").isObject(), path.getKey() + " " + op.getKey() + " documents 401");
        }));
    }
}
