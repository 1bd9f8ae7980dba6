package io.gantry.trace.query;

/** Where a consumer group stands with one message. */
public enum ConsumptionState {
    /** Acknowledged by a consumer of the group. */
    CONSUMED,
    /**
     * Not acknowledged, and no retry seen: either not delivered yet (the group consumes the topic but
     * has had no delivery of this message) or delivered once and still in flight.
     */
    NOT_YET,
    /** Not acknowledged, and redelivered or given back at least once (a failing consumer). */
    RETRYING,
    /** Moved to the group's dead-letter queue. */
    DEAD_LETTERED
}
