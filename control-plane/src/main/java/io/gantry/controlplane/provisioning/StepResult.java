package io.gantry.controlplane.provisioning;

/**
 * What a step did ({@link #outcome}), or why the chain stops before the next one ({@link #halt}). A
 * halted chain is run again from its first step later: every step before it is idempotent.
 */
public record StepResult(Outcome outcome, Halt halt) {

    /**
     * The chain cannot go on yet. {@code backOff}: the next attempt waits longer each time (the
     * resource itself cannot make progress); otherwise it is checked again soon at a fixed pace
     * (it waits for another resource). {@code reason} and {@code message} become its Ready=False
     * condition.
     */
    public record Halt(boolean backOff, String reason, String message) {
    }

    public static StepResult done(Outcome outcome) {
        return new StepResult(outcome, null);
    }

    public static StepResult waitFor(String reason, String message) {
        return new StepResult(null, new Halt(false, reason, message));
    }

    public static StepResult backOff(String reason, String message) {
        return new StepResult(null, new Halt(true, reason, message));
    }

    public boolean halts() {
        return halt != null;
    }
}
