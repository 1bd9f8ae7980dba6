package io.gantry.controlplane.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gantry.controlplane.api.Dtos;
import io.gantry.controlplane.api.MessageDtos;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.File;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The request and response bodies the code reads and writes have the shapes api-spec/openapi.yaml
 * gives them: the same property names, and compatible types, down to nested objects and list items.
 * A DTO whose field is renamed, added or dropped without the spec (or the other way round) fails here.
 *
 * <p>A request body is the method's entity parameter. A response body is the method's return type, or,
 * where the method answers a {@link Response}, the DTO named like the schema ({@code Topic} →
 * {@code TopicView} or {@code Topic}).
 */
class OpenApiSchemaContractTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final List<Class<?>> DTO_HOLDERS = List.of(Dtos.class, MessageDtos.class);

    private final JsonNode spec;
    private final List<String> problems = new ArrayList<>();

    OpenApiSchemaContractTest() throws Exception {
        spec = YAML.readTree(new File("../api-spec/openapi.yaml"));
    }

    @Test
    void everyBodyTheCodeReadsOrWritesHasTheSpecsSchema() throws Exception {
        Map<String, Method> methods = ResourceMethods.all();
        spec.get("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!ResourceMethods.VERBS.containsValue(op.getKey())) {
                return;
            }
            String key = op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey();
            Method m = methods.get(key);
            if (m == null) {
                return; // OpenApiContractIT reports operations without a method
            }
            checkRequest(key, op.getValue(), m);
            checkResponses(key, op.getValue(), m);
        }));
        assertEquals(List.of(), problems, "bodies that differ from api-spec/openapi.yaml");
    }

    private void checkRequest(String key, JsonNode op, Method m) {
        JsonNode schema = op.path("requestBody").path("content").path("application/json").path("schema");
        Type entity = entityParameter(m);
        if (schema.isMissingNode()) {
            if (entity != null) {
                problems.add(key + ": reads a " + entity.getTypeName() + " body the spec does not declare");
            }
            return;
        }
        if (entity == null) {
            problems.add(key + ": the spec declares a request body the method does not read");
            return;
        }
        compare(key + " request", schema, entity, Map.of());
    }

    private void checkResponses(String key, JsonNode op, Method m) {
        op.path("responses").fields().forEachRemaining(r -> {
            if (!r.getKey().startsWith("2")) {
                return;
            }
            JsonNode schema = r.getValue().path("content").path("application/json").path("schema");
            if (schema.isMissingNode()) {
                return;
            }
            String where = key + " " + r.getKey();
            if (m.getReturnType() != Response.class) {
                compare(where, schema, m.getGenericReturnType(), Map.of());
                return;
            }
            String ref = refName(schema);
            Class<?> dto = ref == null ? null : dtoNamed(ref);
            if (dto == null) {
                problems.add(where + ": answers a Response whose schema " + ref + " has no DTO named " + ref
                        + " or " + ref + "View");
                return;
            }
            compare(where, schema, dto, Map.of());
        });
    }

    private void compare(String where, JsonNode schema, Type type, Map<String, Type> bindings) {
        schema = resolve(schema);
        Class<?> raw = raw(type, bindings);
        if (raw == Object.class || schema.has("allOf") || schema.has("oneOf") || schema.has("anyOf")) {
            return;
        }
        String t = schema.path("type").asText("");
        if (schema.has("properties")) {
            if (!raw.isRecord()) {
                problems.add(where + ": the spec has an object, the code a " + raw.getSimpleName());
                return;
            }
            Map<String, Type> recordBindings = bindingsOf(type, bindings);
            TreeSet<String> specified = new TreeSet<>();
            schema.get("properties").fieldNames().forEachRemaining(specified::add);
            TreeSet<String> coded = new TreeSet<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                coded.add(c.getName());
            }
            if (!specified.equals(coded)) {
                TreeSet<String> onlySpec = new TreeSet<>(specified);
                onlySpec.removeAll(coded);
                TreeSet<String> onlyCode = new TreeSet<>(coded);
                onlyCode.removeAll(specified);
                problems.add(where + " (" + raw.getSimpleName() + "): only in the spec " + onlySpec
                        + ", only in the code " + onlyCode);
            }
            for (RecordComponent c : raw.getRecordComponents()) {
                JsonNode p = schema.get("properties").get(c.getName());
                if (p != null) {
                    compare(where + "." + c.getName(), p, c.getGenericType(), recordBindings);
                }
            }
            return;
        }
        switch (t) {
            case "string" -> expect(where, t, raw, String.class, Instant.class, OffsetDateTime.class, Enum.class);
            case "integer" -> expect(where, t, raw, int.class, long.class, Integer.class, Long.class);
            case "number" -> expect(where, t, raw, double.class, float.class, Double.class, Float.class, BigDecimal.class);
            case "boolean" -> expect(where, t, raw, boolean.class, Boolean.class);
            case "array" -> {
                if (!Collection.class.isAssignableFrom(raw)) {
                    problems.add(where + ": the spec has an array, the code a " + raw.getSimpleName());
                } else if (schema.has("items")) {
                    compare(where + "[]", schema.get("items"), typeArgument(type, 0, bindings), bindings);
                }
            }
            case "object" -> {
                if (Map.class.isAssignableFrom(raw)) {
                    JsonNode values = schema.path("additionalProperties");
                    if (values.isObject()) {
                        compare(where + "{}", values, typeArgument(type, 1, bindings), bindings);
                    }
                } else if (!JsonNode.class.isAssignableFrom(raw)) {
                    problems.add(where + ": the spec has a free-form object, the code a " + raw.getSimpleName());
                }
            }
            default -> {
                // a schema without a type (free-form) accepts any value
            }
        }
    }

    private void expect(String where, String specType, Class<?> raw, Class<?>... allowed) {
        for (Class<?> a : allowed) {
            if (a.isAssignableFrom(raw)) {
                return;
            }
        }
        problems.add(where + ": the spec has " + specType + ", the code " + raw.getSimpleName());
    }

    private JsonNode resolve(JsonNode schema) {
        String ref = refName(schema);
        return ref == null ? schema : spec.get("components").get("schemas").get(ref);
    }

    private static String refName(JsonNode schema) {
        JsonNode ref = schema.get("$ref");
        return ref == null ? null : ref.asText().substring(ref.asText().lastIndexOf('/') + 1);
    }

    private static Class<?> dtoNamed(String schema) {
        for (Class<?> holder : DTO_HOLDERS) {
            for (Class<?> c : holder.getDeclaredClasses()) {
                if (c.getSimpleName().equals(schema + "View") || c.getSimpleName().equals(schema)) {
                    return c;
                }
            }
        }
        return null;
    }

    /** The parameter JAX-RS fills from the body: the one without a JAX-RS annotation. */
    private static Type entityParameter(Method m) {
        Annotation[][] annotations = m.getParameterAnnotations();
        for (int i = 0; i < annotations.length; i++) {
            boolean bound = Arrays.stream(annotations[i]).anyMatch(a ->
                    a.annotationType().getPackageName().equals("jakarta.ws.rs") || a instanceof Context);
            if (!bound) {
                return m.getGenericParameterTypes()[i];
            }
        }
        return null;
    }

    private static Class<?> raw(Type type, Map<String, Type> bindings) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        if (type instanceof TypeVariable<?> v && bindings.containsKey(v.getName())) {
            return raw(bindings.get(v.getName()), Map.of());
        }
        return Object.class;
    }

    private static Type typeArgument(Type type, int index, Map<String, Type> bindings) {
        if (type instanceof TypeVariable<?> v && bindings.containsKey(v.getName())) {
            type = bindings.get(v.getName());
        }
        if (type instanceof ParameterizedType p && p.getActualTypeArguments().length > index) {
            Type arg = p.getActualTypeArguments()[index];
            return arg instanceof TypeVariable<?> v && bindings.containsKey(v.getName()) ? bindings.get(v.getName()) : arg;
        }
        return Object.class;
    }

    /** Type variables of a generic record ({@code Page<T>}) bound to the arguments it is used with. */
    private static Map<String, Type> bindingsOf(Type type, Map<String, Type> outer) {
        Map<String, Type> bindings = new HashMap<>();
        if (type instanceof ParameterizedType p) {
            TypeVariable<?>[] vars = ((Class<?>) p.getRawType()).getTypeParameters();
            for (int i = 0; i < vars.length; i++) {
                Type arg = p.getActualTypeArguments()[i];
                if (arg instanceof TypeVariable<?> v && outer.containsKey(v.getName())) {
                    arg = outer.get(v.getName());
                }
                bindings.put(vars[i].getName(), arg);
            }
        }
        return bindings;
    }
}
