package io.gantry.sdktests.support;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Polling with a deadline: the only way these tests wait. A probe that started before the deadline
 * counts even if it finishes after it (a 2 s propagation bound is about when the change reached the
 * gateway, not about how long the SDK takes to say so).
 */
public final class Await {

    private static final Duration PAUSE = Duration.ofMillis(100);

    private Await() {
    }

    /**
     * Calls {@code probe} until it returns something other than {@code null} or {@code false}, and
     * returns that. A probe that throws counts as "not yet"; the last exception is the failure's cause.
     *
     * @throws AssertionError at the deadline, naming {@code what} and the last probe failure
     */
    public static <T> T until(String what, Duration timeout, Callable<T> probe) {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        Throwable last = null;
        while (true) {
            long attemptStart = System.nanoTime();
            try {
                T value = probe.call();
                if (value != null && !Boolean.FALSE.equals(value)) {
                    return value;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            } catch (Exception | AssertionError e) {
                last = e;
            }
            if (attemptStart - deadline >= 0) {
                AssertionError failure = new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for "
                        + what + (last == null ? "" : " (last attempt: " + last + ")"));
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(PAUSE.toMillis(), (deadline - System.nanoTime()) / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** Like {@link #until} for a condition. */
    public static void condition(String what, Duration timeout, Callable<Boolean> probe) {
        until(what, timeout, probe);
    }
}
