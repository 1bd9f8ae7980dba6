package io.gantry.trace.query;

/** The outcome of a transaction message, as the trace store saw it. */
public enum TransactionState {
    /** Neither committed nor rolled back yet (possibly checked with UNKNOWN). */
    PENDING,
    COMMITTED,
    ROLLED_BACK
}
