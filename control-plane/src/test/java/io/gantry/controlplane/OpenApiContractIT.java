package io.gantry.controlplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gantry.controlplane.contract.ResourceMethods;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.util.Locale;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document is api-spec/openapi.yaml, and the code serves exactly its operations. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class OpenApiContractIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static JsonNode contract() throws Exception {
        return YAML.readTree(new File("../api-spec/openapi.yaml"));
    }

    @Test
    void theServedDocumentIsTheContract() throws Exception {
        String served = given().accept("application/yaml").get("/api/v1/openapi").then().statusCode(200)
                .extract().asString();
        assertEquals(contract(), YAML.readTree(served));
    }

    @Test
    void everyResourceMethodIsInTheContractAndEveryContractOperationIsImplemented() throws Exception {
        TreeSet<String> implemented = new TreeSet<>(ResourceMethods.all().keySet());
        TreeSet<String> specified = new TreeSet<>();
        contract().get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(verb -> {
            if (ResourceMethods.VERBS.containsValue(verb)) {
                specified.add(verb.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        assertEquals(specified, implemented);
    }
}
