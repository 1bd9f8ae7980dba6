package io.gantry.controlplane.provisioning;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gantry.controlplane.model.Conditions;
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Clients branch on condition types and reasons: the contract lists exactly the ones the code can set. */
class ConditionsContractTest {
    private static final Pattern BULLET = Pattern.compile("(?m)^- `([A-Za-z]+)`");

    @Test
    void theContractDocumentsEveryConditionTypeAndReasonAndNoOther() throws Exception {
        JsonNode condition = new ObjectMapper(new YAMLFactory()).readTree(new File("../api-spec/openapi.yaml"))
                .path("components").path("schemas").path("Condition").path("properties");

        assertEquals(constants(Conditions.Type.class), documented(condition.path("type").path("description").asText()),
                "Condition.type in api-spec/openapi.yaml against Conditions.Type");
        assertEquals(constants(Conditions.Reason.class), documented(condition.path("reason").path("description").asText()),
                "Condition.reason in api-spec/openapi.yaml against Conditions.Reason");
    }

    private static Set<String> documented(String description) {
        Set<String> names = new TreeSet<>();
        Matcher m = BULLET.matcher(description);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static Set<String> constants(Class<?> holder) throws IllegalAccessException {
        Set<String> values = new TreeSet<>();
        for (Field f : holder.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                values.add((String) f.get(null));
            }
        }
        return values;
    }
}
