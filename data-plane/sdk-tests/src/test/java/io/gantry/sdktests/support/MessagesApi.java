package io.gantry.sdktests.support;

import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The control plane's messages API (message trace) for one instance, as one caller (token). */
public final class MessagesApi {

    private final GantryStack stack;
    private final String token;
    private final String instanceId;

    public MessagesApi(GantryStack stack, String token, String instanceId) {
        this.stack = stack;
        this.token = token;
        this.instanceId = instanceId;
    }

    /** The same instance's messages as another caller. */
    public MessagesApi as(String otherToken) {
        return new MessagesApi(stack, otherToken, instanceId);
    }

    public String base() {
        return "/api/v1/instances/" + instanceId;
    }

    public Response get(String pathUnderInstance) {
        return stack.as(token).get(base() + pathUnderInstance);
    }

    public Response message(String messageId) {
        return get("/messages/" + messageId);
    }

    public Response lifecycle(String messageId) {
        return get("/messages/" + messageId + "/lifecycle");
    }

    /** Every item of a paged list (each page asked with {@code pageSize}), failing on any non-200 answer. */
    public List<Map<String, Object>> all(String listPathWithQuery, int pageSize) {
        List<Map<String, Object>> items = new ArrayList<>();
        String token = null;
        String separator = listPathWithQuery.contains("?") ? "&" : "?";
        do {
            Response r = get(listPathWithQuery + separator + "pageSize=" + pageSize + (token == null ? "" : "&pageToken=" + token));
            if (r.statusCode() != 200) {
                throw new AssertionError("GET " + listPathWithQuery + " answered " + r.statusCode() + ": " + r.asString());
            }
            JsonPath page = r.jsonPath();
            items.addAll(page.getList("items"));
            token = page.getString("nextPageToken");
        } while (token != null);
        return items;
    }

    /** Message ids sent to {@code topic} in [from, to), across all pages. */
    public List<String> idsByTopic(String topic, Instant from, Instant to) {
        return all("/messages?topic=" + topic + "&from=" + from + "&to=" + to, 100).stream()
                .map(m -> (String) m.get("messageId")).toList();
    }

    public List<String> idsByKey(String key) {
        return all("/messages?key=" + key, 100).stream().map(m -> (String) m.get("messageId")).toList();
    }
}
