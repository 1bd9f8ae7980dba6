package io.gantry.controlplane.model;

/**
 * One observation about a resource, Kubernetes style: {@code type} (Ready, Placed, ...), whether it
 * holds ({@code True}/{@code False}), a CamelCase reason, a human message and when it last changed.
 * Types and reasons are the constants of {@link Conditions}.
 */
public record Condition(String type, String status, String reason, String message, String lastTransitionTime) {
}
