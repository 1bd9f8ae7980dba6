package io.gantry.controlplane;

import static io.gantry.controlplane.Fixtures.adminToken;
import static io.gantry.controlplane.Fixtures.as;
import static io.gantry.controlplane.Fixtures.viewerToken;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gantry.isolation.naming.ResourceNames;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The REST security matrix: every operation of api-spec/openapi.yaml, enumerated from the document
 * itself, tried across the tenant boundary and around the roles, with forged names, and then the
 * victim's resources are read back unchanged.
 *
 * <p>Two tenants with two instances each, each instance holding a topic, a group, a NORMAL account and
 * an ACL rule. Tenant A attacks tenant B. Kinds of attempt:
 * <ul>
 * <li>CROSS_TENANT — A's admin token on each of B's instances' paths: 404, as for a missing resource;</li>
 * <li>FOREIGN_CHILD_ID — A's own instance with a rule id of B's or of A's other instance: 404;</li>
 * <li>OWN_LIST_NO_LEAK — every tenant read on A's own resources: nothing of B in the answer;</li>
 * <li>VIEWER_WRITE — B's viewer token on every tenant write of B's own resources: 403;</li>
 * <li>NO_TOKEN — every operation without a token: 401;</li>
 * <li>FORGED_TOKEN — A's token re-written to claim tenant B (signature no longer valid): 401;</li>
 * <li>OPERATOR_ONLY — every operator path with tenant tokens: 403;</li>
 * <li>FORGED_PATH_NAME — each path parameter of A's own paths replaced by forged names
 * ({@code otherInstance%topic}, {@code %RETRY%}, {@code %DLQ%}, {@code rmq_sys_}, the length limit and
 * one over, unicode, empty, traversal): 400/404/405, never 2xx for a reserved or foreign form;</li>
 * <li>FORGED_BODY — bodies that smuggle a tenant or instance, and ACL rules naming forged resources: 400.</li>
 * </ul>
 * A summary table of attempts by kind is printed at the end.
 */
@QuarkusTest
@QuarkusTestResource(ControlPlaneTestResources.class)
class SecurityMatrixIT {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> VERBS = Set.of("get", "post", "put", "patch", "delete");
    private static final Pattern PARAM = Pattern.compile("\\{([^}]+)}");

    record Operation(String method, String template, String operationId, String bodySchema) {
        boolean admin() {
            return template.startsWith("/api/v1/admin/");
        }

        boolean write() {
            return !method.equals("GET");
        }

        List<String> params() {
            List<String> names = new ArrayList<>();
            Matcher m = PARAM.matcher(template);
            while (m.find()) {
                names.add(m.group(1));
            }
            return names;
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    /** One instance of a tenant with the names and ids of what it holds. */
    record Holding(String instanceId, String ruleId, String accessKey, String resetId) {
    }

    record Side(String tenant, String admin, String viewer, List<Holding> instances, String operationId) {
    }

    /** What the server answered. */
    record Answer(int status, String body) {
    }

    /**
     * Attempts go through the JDK's client, which sends a path exactly as written: rest-assured
     * collapses "//" and dot segments itself, so it would try another path than the forged one.
     */
    private final HttpClient http = HttpClient.newHttpClient();

    private final Map<String, int[]> attempts = new TreeMap<>();
    private final List<String> failures = new ArrayList<>();

    @Test
    void noOperationReachesAcrossTheTenantBoundary() throws Exception {
        List<Operation> ops = operations();
        assertTrue(ops.size() >= 40, "the contract lists " + ops.size() + " operations: is the enumeration broken?");
        Side a = side();
        Side b = side();
        for (Holding h : b.instances()) {
            Fixtures.awaitStatus(b.admin(), "/api/v1/instances/" + h.instanceId(), "RUNNING");
            Fixtures.awaitStatus(b.admin(), "/api/v1/instances/" + h.instanceId() + "/topics/orders", "RUNNING");
            Fixtures.awaitStatus(b.admin(), "/api/v1/instances/" + h.instanceId() + "/consumer-groups/billing", "RUNNING");
        }
        Map<String, JsonNode> before = victimState(b);
        List<String> bMarkers = new ArrayList<>(List.of(b.tenant(), b.operationId()));
        for (Holding h : b.instances()) {
            bMarkers.addAll(List.of(h.instanceId(), h.ruleId(), h.accessKey(), h.resetId()));
        }

        for (Operation op : ops) {
            Holding b1 = b.instances().get(0);
            // Nobody without a valid token gets anywhere.
            expect("NO_TOKEN", op, null, b, b1, body(op), Set.of(401));
            expect("FORGED_TOKEN", op, claimingTenant(a.admin(), b.tenant()), b, b1, body(op), Set.of(401));
            if (op.admin()) {
                for (String token : List.of(a.admin(), a.viewer(), b.admin())) {
                    expect("OPERATOR_ONLY", op, token, b, b1, body(op), Set.of(403));
                }
                continue;
            }
            if (!op.params().isEmpty()) {
                for (Holding victim : b.instances()) {
                    expect("CROSS_TENANT", op, a.admin(), b, victim, body(op), Set.of(404));
                }
            }
            for (String childId : List.of("ruleId", "resetId")) {
                if (!op.params().contains(childId)) {
                    continue;
                }
                Holding own = a.instances().get(0);
                for (Holding foreign : List.of(b.instances().get(0), a.instances().get(1))) {
                    Map<String, String> values = values(a, own);
                    values.put(childId, values(b, foreign).get(childId));
                    expectAt("FOREIGN_CHILD_ID", op, a.admin(), path(op, values), body(op), Set.of(404), bMarkers);
                }
            }
            if (op.write()) {
                expect("VIEWER_WRITE", op, b.viewer(), b, b1, body(op), Set.of(403));
            } else {
                for (Holding own : a.instances()) {
                    ownReadLeaksNothing(op, a, own, bMarkers);
                }
            }
            forgedPathNames(op, a, b, bMarkers);
            forgedBodies(op, a, b);
        }

        // The victim's side reads back exactly as before, and its audit log records no attempt.
        Map<String, JsonNode> after = victimState(b);
        for (String path : before.keySet()) {
            if (!before.get(path).equals(after.get(path))) {
                failures.add("tenant B's " + path + " changed:\n  before " + before.get(path) + "\n  after  " + after.get(path));
            }
        }
        printSummary(ops);
        assertTrue(failures.isEmpty(), failures.size() + " attempt(s) were not refused as expected:\n"
                + String.join("\n", failures));

        int total = attempts.values().stream().mapToInt(c -> c[0]).sum();
        int kinds = attempts.size();
        assertEquals(9, kinds, "every kind of attempt ran: " + attempts.keySet());
        assertTrue(total >= ops.size() * kinds, total + " attempts for " + ops.size() + " operations x " + kinds + " kinds");
        assertEquals(ops.size(), attempts.get("NO_TOKEN")[0], "every operation was tried without a token");
        long tenantWrites = ops.stream().filter(o -> !o.admin() && o.write()).count();
        assertEquals(tenantWrites, attempts.get("VIEWER_WRITE")[0], "every tenant write was tried with a viewer token");
    }

    // ------------------------------------------------------------------ the contract

    private static List<Operation> operations() throws Exception {
        JsonNode spec = YAML.readTree(new File("../api-spec/openapi.yaml"));
        List<Operation> ops = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = spec.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> p = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> verbs = p.getValue().fields(); verbs.hasNext(); ) {
                Map.Entry<String, JsonNode> v = verbs.next();
                if (!VERBS.contains(v.getKey())) {
                    continue;
                }
                JsonNode schema = v.getValue().path("requestBody").path("content").path("application/json").path("schema");
                String ref = schema.path("$ref").asText("");
                ops.add(new Operation(v.getKey().toUpperCase(Locale.ROOT), p.getKey(),
                        v.getValue().path("operationId").asText(), ref.isEmpty() ? null : ref.substring(ref.lastIndexOf('/') + 1)));
            }
        }
        return ops;
    }

    /** A body the operation would accept, so that refusals are about who asks, not about the body. */
    private static Object body(Operation op) {
        if (op.bodySchema() == null) {
            return null;
        }
        return switch (op.bodySchema()) {
            case "InstanceCreate" -> Map.of("name", "matrix", "regionId", Fixtures.REGION, "edition", "test");
            case "InstanceUpdate", "TopicUpdate", "ConsumerGroupUpdate" -> Map.of("remark", "changed by the matrix");
            case "TopicCreate" -> Map.of("messageType", "NORMAL");
            case "AccountUpdate" -> Map.of("enabled", false, "accountType", "ADMIN");
            case "AclRuleCreate" -> Map.of("resourceType", "TOPIC", "resourceName", "orders", "pattern", "PREFIX",
                    "actions", List.of("PUB", "SUB"));
            case "ThrottleSet" -> Map.of("sendTps", 1, "reason", "matrix", "expiresAt",
                    Instant.now().plus(Duration.ofHours(1)).toString());
            case "ClusterUpdate" -> Map.of("state", "DRAINING");
            case "OffsetResetCreate" -> Map.of("to", "LATEST");
            // Create bodies whose fields are all optional, and any schema added later: no fields.
            default -> Map.of();
        };
    }

    // ------------------------------------------------------------------ the two sides

    private static Side side() {
        String tenant = Fixtures.newTenant();
        String admin = adminToken(tenant);
        List<Holding> held = new ArrayList<>();
        String operationId = null;
        for (int n = 0; n < 2; n++) {
            String id = Fixtures.createInstance(tenant, "test");
            String base = "/api/v1/instances/" + id;
            operationId = as(admin).body(Map.of("messageType", "NORMAL")).post(base + "/topics/orders")
                    .then().statusCode(202).extract().path("operationId");
            as(admin).body(Map.of()).post(base + "/consumer-groups/billing").then().statusCode(202);
            String accessKey = as(admin).body(Map.of("accountType", "NORMAL")).post(base + "/accounts/app")
                    .then().statusCode(201).extract().path("accessKey");
            String ruleId = as(admin).body(Map.of("resourceType", "TOPIC", "resourceName", "orders", "pattern", "LITERAL",
                            "actions", List.of("PUB")))
                    .post(base + "/accounts/app/acls").then().statusCode(201).extract().path("ruleId");
            String resetId = as(admin).body(Map.of("to", "EARLIEST")).post(base + "/consumer-groups/billing/offset-resets")
                    .then().statusCode(202).extract().path("resetId");
            held.add(new Holding(id, ruleId, accessKey, resetId));
        }
        return new Side(tenant, admin, viewerToken(tenant), held, operationId);
    }

    /** Values for every path parameter the contract uses; a new parameter fails here until the matrix knows it. */
    private static Map<String, String> values(Side side, Holding h) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("instanceId", h.instanceId());
        v.put("topic", "orders");
        v.put("group", "billing");
        v.put("username", "app");
        v.put("ruleId", h.ruleId());
        v.put("resetId", h.resetId());
        v.put("operationId", side.operationId());
        v.put("messageId", "7F00000100002A9F0000000000000000");
        v.put("clusterId", Fixtures.CLUSTER_ID);
        v.put("namespace", h.instanceId());
        return v;
    }

    private static String path(Operation op, Map<String, String> values) {
        Matcher m = PARAM.matcher(op.template());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new AssertionError(op + ": no value for path parameter '" + m.group(1) + "'; teach the matrix");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** What tenant B's admin reads of its own side: compared before and after the attempts. */
    private static Map<String, JsonNode> victimState(Side b) throws Exception {
        Map<String, JsonNode> state = new TreeMap<>();
        List<String> paths = new ArrayList<>(List.of("/api/v1/instances?pageSize=100",
                "/api/v1/audit-events?pageSize=100"));
        for (Holding h : b.instances()) {
            String base = "/api/v1/instances/" + h.instanceId();
            paths.addAll(List.of(base, base + "/topics", base + "/topics/orders", base + "/consumer-groups",
                    base + "/consumer-groups/billing", base + "/accounts", base + "/accounts/app",
                    base + "/accounts/app/acls", base + "/accounts/app/acls/" + h.ruleId()));
        }
        paths.add("/api/v1/operations/" + b.operationId());
        for (String p : paths) {
            var r = as(b.admin()).get(p);
            assertEquals(200, r.statusCode(), p + " -> " + r.asString());
            state.put(p, JSON.readTree(r.asString()));
        }
        return state;
    }

    /** The token's payload re-written to another tenant, the signature kept: a forgery a client could try. */
    private static String claimingTenant(String token, String tenant) throws Exception {
        String[] parts = token.split("\\.");
        Map<String, Object> claims = JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
        claims.put("tenant", tenant);
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(JSON.writeValueAsBytes(claims));
        return parts[0] + "." + payload + "." + parts[2];
    }

    // ------------------------------------------------------------------ kinds of attempt

    private void ownReadLeaksNothing(Operation op, Side a, Holding own, List<String> bMarkers) {
        Answer r = send(a.admin(), "GET", path(op, values(a, own)), null);
        count("OWN_LIST_NO_LEAK", r.status() < 500 && leaked(r, bMarkers, "") == null,
                op + " on A's own " + own.instanceId() + " -> " + r.status() + " " + abbreviate(r.body()));
    }

    /**
     * Each path parameter in turn replaced by forged names; the others are A's own. Reserved, foreign
     * and malformed forms must be refused (400/404/405); a name at the length limit may legitimately be
     * accepted on A's own side; nothing may answer with B's data or fail with 5xx.
     */
    private void forgedPathNames(Operation op, Side a, Side b, List<String> bMarkers) {
        Holding own = a.instances().get(0);
        String b1 = b.instances().get(0).instanceId();
        for (String param : op.params()) {
            int limit = switch (param) {
                case "topic", "group" -> ResourceNames.maxLength(own.instanceId());
                default -> 64;
            };
            Map<String, String> forged = new LinkedHashMap<>();
            forged.put("otherInstance%topic", b1 + "%25orders");
            forged.put("%RETRY%", "%25RETRY%25" + b1 + "%25billing");
            forged.put("%DLQ%", "%25DLQ%25" + b1 + "%25billing");
            forged.put("rmq_sys_", "rmq_sys_x");
            forged.put("traversal", "..%2F..%2F" + b1);
            forged.put("dot-segments", "..%2F../" + b1);
            forged.put("unicode", "%C3%BCnicode-%E2%80%AE");
            forged.put("over-limit", "a".repeat(limit + 1));
            forged.put("at-limit", "a".repeat(limit));
            forged.put("empty", "");
            for (Map.Entry<String, String> f : forged.entrySet()) {
                Map<String, String> values = values(a, own);
                values.put(param, f.getValue());
                String url = path(op, values);
                Answer r = send(a.admin(), op.method(), url, body(op));
                int s = r.status();
                String leak = leaked(r, bMarkers, url);
                boolean ok = s < 500 && leak == null && switch (f.getKey()) {
                    case "at-limit" -> true;
                    case "empty" -> s >= 400 || !op.write();
                    // Usernames are Gantry's own (never RocketMQ users): RocketMQ's system prefix is an ordinary name there.
                    case "rmq_sys_" -> param.equals("username") || s == 400 || s == 404 || s == 405;
                    default -> s == 400 || s == 404 || s == 405;
                };
                count("FORGED_PATH_NAME", ok, op + " with " + param + " = " + f.getKey() + " (" + url + ") -> " + s
                        + (leak == null ? "" : " leaking " + leak) + " " + abbreviate(r.body()));
            }
        }
    }

    /** Bodies that name the other tenant or instance, or forged resources: refused as bad input. */
    private void forgedBodies(Operation op, Side a, Side b) {
        if (!op.write() || op.bodySchema() == null) {
            return;
        }
        String url = path(op, values(a, a.instances().get(0)));
        @SuppressWarnings("unchecked")
        Map<String, Object> base = new LinkedHashMap<>((Map<String, Object>) body(op));
        for (Map.Entry<String, Object> smuggled : Map.<String, Object>of("tenantId", b.tenant(),
                "instanceId", b.instances().get(0).instanceId(), "namespace", b.instances().get(0).instanceId()).entrySet()) {
            Map<String, Object> forged = new LinkedHashMap<>(base);
            forged.put(smuggled.getKey(), smuggled.getValue());
            Answer r = send(a.admin(), op.method(), url, forged);
            count("FORGED_BODY", r.status() == 400, op + " smuggling " + smuggled.getKey() + " -> " + r.status()
                    + " " + abbreviate(r.body()));
        }
        if ("AclRuleCreate".equals(op.bodySchema())) {
            String b1 = b.instances().get(0).instanceId();
            int limit = ResourceNames.maxLength(a.instances().get(0).instanceId());
            for (String name : List.of(b1 + "%orders", "%RETRY%" + b1 + "%billing", "%DLQ%" + b1 + "%billing",
                    "rmq_sys_x", "a".repeat(limit + 1), "ünicode", "../" + b1)) {
                for (String pattern : List.of("LITERAL", "PREFIX")) {
                    Map<String, Object> forged = new LinkedHashMap<>(base);
                    forged.put("resourceName", name);
                    forged.put("pattern", pattern);
                    Answer r = send(a.admin(), op.method(), url, forged);
                    count("FORGED_BODY", r.status() == 400, op + " with resourceName " + name + " (" + pattern
                            + ") -> " + r.status() + " " + abbreviate(r.body()));
                }
            }
        }
    }

    /** {@code token} null: no authorization header at all. */
    private void expect(String kind, Operation op, String token, Side side, Holding h, Object body,
                        Set<Integer> statuses) {
        expectAt(kind, op, token, path(op, values(side, h)), body, statuses, List.of());
    }

    private void expectAt(String kind, Operation op, String token, String url, Object body,
                          Set<Integer> statuses, List<String> markers) {
        Answer r = send(token, op.method(), url, body);
        String leak = leaked(r, markers, url);
        count(kind, statuses.contains(r.status()) && leak == null, op + " (" + url + ") -> " + r.status()
                + ", expected " + statuses + (leak == null ? "" : " leaking " + leak) + " " + abbreviate(r.body()));
    }

    private Answer send(String token, String method, String url, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + RestAssured.port + url))
                    .timeout(Duration.ofSeconds(30))
                    .header("Accept", "application/json")
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(method + " " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A marker of the other side in the answer that the request itself did not carry (errors echo the path). */
    private static String leaked(Answer r, List<String> markers, String url) {
        String text = r.body();
        for (String m : markers) {
            if (m != null && text.contains(m) && !url.contains(m)) {
                return m;
            }
        }
        return null;
    }

    private void count(String kind, boolean refusedAsExpected, String description) {
        int[] c = attempts.computeIfAbsent(kind, k -> new int[2]);
        c[0]++;
        if (refusedAsExpected) {
            c[1]++;
        } else {
            failures.add(kind + ": " + description);
        }
    }

    private void printSummary(List<Operation> ops) {
        StringBuilder sb = new StringBuilder("\nREST security matrix: " + ops.size() + " operations of api-spec/openapi.yaml\n");
        sb.append(String.format("%-18s %9s %9s%n", "kind", "attempts", "as-meant"));
        int total = 0;
        int ok = 0;
        for (Map.Entry<String, int[]> e : attempts.entrySet()) {
            sb.append(String.format("%-18s %9d %9d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
            total += e.getValue()[0];
            ok += e.getValue()[1];
        }
        sb.append(String.format("%-18s %9d %9d%n", "total", total, ok));
        System.out.println(sb);
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 200 ? one.substring(0, 200) + "…" : one;
    }
}
