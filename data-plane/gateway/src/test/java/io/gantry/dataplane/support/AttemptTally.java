package io.gantry.dataplane.support;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The attempts of a security matrix, counted by kind: how many, which RPCs, which answer codes; and what
 * went wrong (an unexpected code, or a watched secret of another instance in an answer).
 *
 * <p>A secret is watched by its text (a namespace, a message body, a message id, a receipt handle…). An
 * answer leaks it when the answer contains it and the request did not: a refusal may quote the name
 * the client sent, but never anything the client did not already hold. Thread-safe.
 */
public final class AttemptTally {
    private final Map<String, Map<String, Integer>> codesByKind = new LinkedHashMap<>();
    private final Map<String, Set<String>> rpcsByKind = new LinkedHashMap<>();
    private final Map<String, List<String>> violationsByKind = new LinkedHashMap<>();
    private final Map<String, String> watched = new LinkedHashMap<>();

    /** Watches a secret: it must not appear in any answer to a request that did not contain it. */
    public synchronized void watch(String label, String secret) {
        if (secret != null && !secret.isEmpty()) {
            watched.put(secret, label);
        }
    }

    /**
     * Counts one attempt and checks its answer.
     *
     * @param request  the request as sent, in any text form that contains the names it carried
     * @param expected the acceptable answer codes
     */
    public synchronized void record(String kind, String rpc, String what, String request, RawRpc.Answer answer,
            Collection<String> expected) {
        codesByKind.computeIfAbsent(kind, k -> new TreeMap<>()).merge(answer.code(), 1, Integer::sum);
        rpcsByKind.computeIfAbsent(kind, k -> new TreeSet<>()).add(rpc);
        if (!expected.contains(answer.code())) {
            violation(kind, rpc + " / " + what + ": expected " + expected + ", got " + answer.code() + " — " + abbreviate(answer.text()));
        }
        for (Map.Entry<String, String> secret : watched.entrySet()) {
            if (answer.text().contains(secret.getKey()) && !request.contains(secret.getKey())) {
                violation(kind, rpc + " / " + what + ": the answer holds " + secret.getValue() + " — " + abbreviate(answer.text()));
            }
        }
    }

    /** A finding that is not one answer (an effect seen afterwards: a changed offset, a lost message…). */
    public synchronized void violation(String kind, String text) {
        violationsByKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(text);
    }

    public synchronized int count(String kind) {
        return codesByKind.getOrDefault(kind, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
    }

    public synchronized int total() {
        return codesByKind.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
    }

    public synchronized Set<String> rpcs(String kind) {
        return Set.copyOf(rpcsByKind.getOrDefault(kind, Set.of()));
    }

    public synchronized List<String> violations(String kind) {
        return List.copyOf(violationsByKind.getOrDefault(kind, List.of()));
    }

    /** kind | attempts | RPCs | answer codes (code ×count). */
    public synchronized String table() {
        int kindWidth = Math.max(4, codesByKind.keySet().stream().mapToInt(String::length).max().orElse(4));
        StringBuilder out = new StringBuilder();
        String format = "%-" + kindWidth + "s | %8s | %4s | %s%n";
        out.append(String.format(format, "kind", "attempts", "RPCs", "answers (code ×count)"));
        out.append("-".repeat(kindWidth)).append("-+-").append("-".repeat(8)).append("-+-").append("-".repeat(4))
                .append("-+-").append("-".repeat(40)).append('\n');
        for (Map.Entry<String, Map<String, Integer>> e : codesByKind.entrySet()) {
            StringBuilder codes = new StringBuilder();
            e.getValue().forEach((code, n) -> codes.append(codes.length() == 0 ? "" : ", ").append(code).append(" ×").append(n));
            out.append(String.format(format, e.getKey(), count(e.getKey()), rpcsByKind.get(e.getKey()).size(), codes));
        }
        out.append(String.format(format, "total", total(), "", ""));
        int problems = violationsByKind.values().stream().mapToInt(List::size).sum();
        out.append("violations: ").append(problems).append('\n');
        violationsByKind.forEach((kind, list) -> list.forEach(v -> out.append("  [").append(kind).append("] ").append(v).append('\n')));
        return out.toString();
    }

    private static String abbreviate(String text) {
        String oneLine = text.replace('\n', ' ');
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
