package io.gantry.sdktests.support;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.producer.Producer;

/**
 * A RUNNING instance of a tenant, with what the API says about it (id, namespace, endpoint), and
 * helpers that create its topics, groups and accounts through the API and build SDK clients that use
 * only what the API showed.
 */
public final class TenantInstance {

    /** How long a new account or topic may take to reach the gateway before a test starts using it. */
    static final Duration CONFIG_PROPAGATION = Duration.ofSeconds(15);

    private final Tenant tenant;
    private final String id;
    private final String namespace;
    private final String endpoint;
    private final List<String> pending = new ArrayList<>();
    private Account defaultAccount;

    TenantInstance(Tenant tenant, String id, JsonPath running) {
        this.tenant = tenant;
        this.id = id;
        this.namespace = running.getString("namespace");
        List<String> addresses = running.getList("endpoints.address", String.class);
        if (addresses == null || addresses.isEmpty()) {
            throw new AssertionError("RUNNING instance " + id + " shows no endpoint: " + running.prettify());
        }
        this.endpoint = addresses.get(0);
    }

    public String id() {
        return id;
    }

    /** The RocketMQ namespace on the cluster (the API's {@code namespace}; the instance id). */
    public String namespace() {
        return namespace;
    }

    /** The endpoint the API shows (the gateway). */
    public String endpoint() {
        return endpoint;
    }

    public Tenant tenant() {
        return tenant;
    }

    private String path() {
        return "/api/v1/instances/" + id;
    }

    /** Asks for a topic (asynchronous); {@link #awaitRunning()} waits for it. */
    public TenantInstance createTopic(String name, String messageType) {
        return createTopic(name, messageType, null);
    }

    public TenantInstance createTopic(String name, String messageType, Integer queueCount) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("messageType", messageType);
        if (queueCount != null) {
            body.put("queueCount", queueCount);
        }
        post("/topics/" + name, body, 202);
        pending.add(path() + "/topics/" + name);
        return this;
    }

    /** A CONCURRENTLY group with RocketMQ's default retries. */
    public TenantInstance createGroup(String name) {
        return createGroup(name, false, null, null);
    }

    /**
     * Asks for a consumer group (asynchronous). {@code maxRetryTimes} null: default;
     * {@code fixedIntervalSeconds} non-null: retryPolicy FIXED with that interval.
     */
    public TenantInstance createGroup(String name, boolean orderly, Integer maxRetryTimes, Integer fixedIntervalSeconds) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("deliveryOrderType", orderly ? "ORDERLY" : "CONCURRENTLY");
        if (maxRetryTimes != null || fixedIntervalSeconds != null) {
            Map<String, Object> policy = new LinkedHashMap<>();
            if (fixedIntervalSeconds != null) {
                policy.put("retryPolicy", "FIXED");
                policy.put("fixedIntervalSeconds", fixedIntervalSeconds);
            }
            if (maxRetryTimes != null) {
                policy.put("maxRetryTimes", maxRetryTimes);
            }
            body.put("consumeRetryPolicy", policy);
        }
        post("/consumer-groups/" + name, body, 202);
        pending.add(path() + "/consumer-groups/" + name);
        return this;
    }

    /** Waits until every topic and group asked for so far is RUNNING. */
    public TenantInstance awaitRunning() {
        for (String resource : pending) {
            tenant.awaitStatus(resource, "RUNNING");
        }
        pending.clear();
        return this;
    }

    /** Creates an account; the answer's access key and secret key. */
    public Account createAccount(String username) {
        Response created = post("/accounts/" + username, Map.of(), 201);
        JsonPath body = created.jsonPath();
        return new Account(username, body.getString("accessKey"), body.getString("secretKey"));
    }

    /** PATCH accounts/{username} {"enabled": enabled}. */
    public void setAccountEnabled(String username, boolean enabled) {
        Response response = tenant.api().body(Map.of("enabled", enabled)).patch(path() + "/accounts/" + username);
        if (response.statusCode() != 200) {
            throw new AssertionError("PATCH account " + username + " answered " + response.statusCode() + ": "
                    + response.asString());
        }
    }

    /** The account the tests of this instance use unless they say otherwise (created on first use). */
    public synchronized Account account() {
        if (defaultAccount == null) {
            defaultAccount = createAccount("app-" + UUID.randomUUID().toString().substring(0, 8));
        }
        return defaultAccount;
    }

    /** SDK configuration: the API's endpoint, the default account, TLS (the SDK's default). */
    public ClientConfiguration clientConfiguration() {
        return Sdk.configuration(endpoint, account());
    }

    public ClientConfiguration clientConfiguration(Account account) {
        return Sdk.configuration(endpoint, account);
    }

    /**
     * Waits until the gateway serves this instance's default account and {@code topic}: a producer for
     * the topic starts (it queries the topic's route at start). New accounts and topics reach the
     * gateway within seconds; tests that measure that bound do so themselves.
     */
    public TenantInstance awaitServed(String topic) {
        return awaitServed(endpoint, topic);
    }

    /** {@link #awaitServed(String)} on a given gateway address. */
    public TenantInstance awaitServed(String gatewayEndpoint, String topic) {
        Account account = account();
        Await.until("the gateway at " + gatewayEndpoint + " to serve " + account + " and topic " + topic + " of " + id,
                CONFIG_PROPAGATION, () -> {
                    try (Producer producer = Sdk.producer(Sdk.configuration(gatewayEndpoint, account), topic)) {
                        return true;
                    }
                });
        return this;
    }

    /** An account of the given type (ADMIN: every permission of the instance; NORMAL: only its ACL rules). */
    public Account createAccount(String username, String accountType) {
        JsonPath body = post("/accounts/" + username, Map.of("accountType", accountType), 201).jsonPath();
        return new Account(username, body.getString("accessKey"), body.getString("secretKey"));
    }

    /** Adds an ACL rule to an account; answers its id. */
    public String addAclRule(String username, Map<String, Object> rule) {
        return post("/accounts/" + username + "/acls", rule, 201).jsonPath().getString("ruleId");
    }

    /**
     * POST …/consumer-groups/{group}/offset-resets with {@code body} and waits until the reset is applied
     * (RUNNING); answers its id.
     */
    public String resetOffsets(String group, Map<String, Object> body) {
        String resets = "/consumer-groups/" + group + "/offset-resets";
        String resetId = post(resets, body, 202).jsonPath().getString("resetId");
        tenant.awaitStatus(path() + resets + "/" + resetId, "RUNNING");
        return resetId;
    }

    /** PATCH the instance itself (e.g. {"ipAllowlist": [...]}). */
    public void update(Map<String, Object> patch) {
        Response response = tenant.api().body(patch).patch(path());
        if (response.statusCode() != 200 && response.statusCode() != 202) {
            throw new AssertionError("PATCH " + path() + " answered " + response.statusCode() + ": " + response.asString());
        }
    }

    private Response post(String suffix, Object body, int expected) {
        Response response = tenant.api().body(body).post(path() + suffix);
        if (response.statusCode() != expected) {
            throw new AssertionError("POST " + path() + suffix + " answered " + response.statusCode() + ": "
                    + response.asString());
        }
        return response;
    }

    @Override
    public String toString() {
        return "instance " + id + " of " + tenant.id();
    }
}
