package io.gantry.controlplane.provisioning;

/**
 * One small idempotent step of a reconciler: run twice, it leaves the same state as run once, so a
 * chain interrupted anywhere (crash, unreachable cluster) is simply run again from the start.
 */
public interface Step<E> {
    /** Short and stable: it names the step in logs and in fault injection ({@code <kind>:<step>}). */
    String name();

    StepResult apply(E resource, StepContext context) throws ClusterUnavailableException;

    interface Body<E> {
        StepResult apply(E resource, StepContext context) throws ClusterUnavailableException;
    }

    static <E> Step<E> of(String name, Body<E> body) {
        return new Step<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public StepResult apply(E resource, StepContext context) throws ClusterUnavailableException {
                return body.apply(resource, context);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }
}
