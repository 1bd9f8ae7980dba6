package io.gantry.controlplane;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.File;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document is api-spec/openapi.yaml, and the code serves exactly its operations. */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class OpenApiContractIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<Class<?>, String> VERBS = Map.of(GET.class, "get", POST.class, "post",
            PATCH.class, "patch", DELETE.class, "delete", PUT.class, "put");

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
        TreeSet<String> implemented = new TreeSet<>();
        URL dir = getClass().getClassLoader().getResource("io/gantry/controlplane/api");
        try (var files = Files.list(new File(dir.toURI()).toPath())) {
            for (var file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                Class<?> type = Class.forName("io.gantry.controlplane.api." + name.replace(".class", ""));
                Path classPath = type.getAnnotation(Path.class);
                if (classPath == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    for (var verb : VERBS.entrySet()) {
                        if (m.isAnnotationPresent(verb.getKey().asSubclass(java.lang.annotation.Annotation.class))) {
                            Path sub = m.getAnnotation(Path.class);
                            String full = (classPath.value() + (sub == null ? "" : "/" + sub.value()))
                                    .replaceAll("/+", "/").replaceAll("/$", "");
                            implemented.add(verb.getValue().toUpperCase(Locale.ROOT) + " " + full);
                        }
                    }
                }
            }
        }
        TreeSet<String> specified = new TreeSet<>();
        contract().get("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(verb -> {
            if (VERBS.containsValue(verb)) {
                specified.add(verb.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        assertEquals(specified, implemented);
    }
}
