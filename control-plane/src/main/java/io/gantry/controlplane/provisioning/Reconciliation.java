package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.Conditions.Reason;
import io.gantry.controlplane.model.Conditions.Type;
import io.gantry.controlplane.model.ProvisionedEntity;
import io.gantry.controlplane.model.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs one resource's step chain and turns its end into status: applied (Ready=True, RUNNING,
 * {@code observedGeneration}), removed (row gone, audited), waiting (Ready=False, checked again in a
 * second) or retrying (Ready=False with the reason, exponential backoff). No database or cluster
 * of its own: the caller provides the transaction, the row lock and the loaded resource.
 */
public final class Reconciliation {
    /** Audit actor of the changes the provisioner makes on its own (deletes it completes). */
    public static final String ACTOR = "system:provisioner";
    static final Duration WAIT = Duration.ofSeconds(1);
    /** The step name failures carry when they happen after the chain, while its end is recorded. */
    static final String SAVE = "save-status";

    /** How one reconciliation ended. */
    public enum End { APPLIED, REMOVED, WAITING, RETRYING }

    public record StepOutcome(String step, Outcome outcome) {
    }

    /** The steps that ran, in order, with what each did, and how the chain ended. */
    public record Report(List<StepOutcome> steps, End end) {
    }

    /** A step threw something other than {@link ClusterUnavailableException}; its transaction is lost. */
    public static final class StepFailedException extends RuntimeException {
        public final String step;

        StepFailedException(String step, RuntimeException cause) {
            super("step " + step + " failed: " + cause, cause);
            this.step = step;
        }
    }

    private final RocketMqAdmin admin;
    private final ProvisioningStore store;
    private final Duration maxBackoff;
    private final Consumer<String> afterStep;

    /** {@code afterStep} sees {@code <auditKind>:<step>} after each step that completed (fault injection). */
    public Reconciliation(RocketMqAdmin admin, ProvisioningStore store, Duration maxBackoff, Consumer<String> afterStep) {
        this.admin = admin;
        this.store = store;
        this.maxBackoff = maxBackoff;
        this.afterStep = afterStep;
    }

    public <E extends ProvisionedEntity> Report run(KindReconciler<E> kind, E resource, Instant now) {
        ProvisionedEntity.StatusSnapshot before = resource.statusSnapshot();
        boolean deleting = resource.status == Status.DELETING;
        StepContext ctx = new StepContext(now, admin, store);
        List<StepOutcome> done = new ArrayList<>();
        End end = null;
        String current = null;
        try {
            for (Step<E> step : deleting ? kind.deleteSteps() : kind.applySteps()) {
                current = step.name();
                StepResult result = step.apply(resource, ctx);
                if (result.halts()) {
                    end = halt(kind, resource, result.halt(), now);
                    break;
                }
                done.add(new StepOutcome(step.name(), result.outcome()));
                afterStep.accept(kind.resource().auditKind() + ":" + step.name());
            }
            // Failures from here on are the store's, not a step's.
            current = SAVE;
            if (end == null) {
                end = deleting ? remove(kind, resource) : applied(kind, resource, now);
            }
        } catch (ClusterUnavailableException e) {
            resource.setCondition(Type.READY, false, Reason.BROKER_UNAVAILABLE, e.getMessage(), now);
            kind.onClusterUnavailable(resource, e.getMessage(), now);
            retryLater(kind, resource, now, e.getMessage());
            end = End.RETRYING;
        } catch (RuntimeException e) {
            throw new StepFailedException(current, e);
        }
        if (end != End.REMOVED && !resource.statusSnapshot().equals(before)) {
            resource.updatedAt = now;
        }
        return new Report(List.copyOf(done), end);
    }

    /**
     * Saves a step's unexpected failure on the resource, freshly loaded in a new transaction: Ready=False
     * with {@link Reason#STEP_FAILED} naming the step, and the same backoff as an unreachable cluster, so
     * one broken resource is retried ever more slowly instead of failing every pass.
     */
    public <E extends ProvisionedEntity> Report fail(KindReconciler<E> kind, E resource, String step, Instant now) {
        String message = "step '" + step + "' failed unexpectedly; operators find the cause in the provisioner's log";
        resource.setCondition(Type.READY, false, Reason.STEP_FAILED, message, now);
        retryLater(kind, resource, now, message);
        resource.updatedAt = now;
        return new Report(List.of(), End.RETRYING);
    }

    private <E extends ProvisionedEntity> End halt(KindReconciler<E> kind, E e, StepResult.Halt halt, Instant now) {
        e.setCondition(Type.READY, false, halt.reason(), halt.message(), now);
        if (halt.backOff()) {
            retryLater(kind, e, now, halt.message());
            return End.RETRYING;
        }
        // Waiting on another resource is not a failure: check again soon, without growing backoff.
        e.nextAttemptAt = now.plus(WAIT);
        store.progressOperations(kind.resource().instanceId().apply(e), kind.resource().kind(), kind.resource().name().apply(e), halt.message());
        return End.WAITING;
    }

    private <E extends ProvisionedEntity> End applied(KindReconciler<E> kind, E e, Instant now) {
        e.setCondition(Type.READY, true, Reason.APPLIED, "the cluster holds the desired state", now);
        e.status = Status.RUNNING;
        e.observedGeneration = e.generation;
        e.attempts = 0;
        store.completeOperations(kind.resource().instanceId().apply(e), kind.resource().kind(), kind.resource().name().apply(e), e.generation);
        return End.APPLIED;
    }

    private <E extends ProvisionedEntity> End remove(KindReconciler<E> kind, E e) {
        String instanceId = kind.resource().instanceId().apply(e);
        store.completeOperations(instanceId, kind.resource().kind(), kind.resource().name().apply(e), Long.MAX_VALUE);
        Map<String, Object> before = new LinkedHashMap<>();
        before.put("status", e.status);
        before.put("generation", e.generation);
        before.put("observedGeneration", e.observedGeneration);
        store.audit(store.tenantOf(instanceId), kind.resource().auditKind() + ".delete", kind.resource().kind(), kind.resource().auditId().apply(e), before);
        store.remove(e);
        return End.REMOVED;
    }

    private <E extends ProvisionedEntity> void retryLater(KindReconciler<E> kind, E e, Instant now, String message) {
        e.attempts++;
        long seconds = backoffSeconds(e.attempts);
        e.nextAttemptAt = now.plusSeconds(seconds);
        store.progressOperations(kind.resource().instanceId().apply(e), kind.resource().kind(), kind.resource().name().apply(e),
                message + " (attempt " + e.attempts + ", next in " + seconds + " s)");
    }

    /** 2 s after the first failed attempt, doubling up to {@code gantry.provisioner.max-backoff}. */
    long backoffSeconds(int attempts) {
        return Math.min(maxBackoff.toSeconds(), 1L << Math.min(attempts, 16));
    }
}
