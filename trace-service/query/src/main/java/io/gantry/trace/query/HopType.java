package io.gantry.trace.query;

/** The kinds of hop in a message's life; the same names as the trace event types of api-spec. */
public enum HopType {
    /** A client sent the message. */
    SEND,
    /** The broker answered the send (stored, or refused: see the hop's status). */
    STORE,
    /** A consumer of a group received it (one hop per delivery attempt). */
    DELIVER,
    /** The consumer acknowledged it. */
    ACK,
    /** The consumer gave it back for a later retry (changed its invisible time). */
    NACK,
    /** It went to the group's dead-letter queue (dlqSource: CLIENT or BROKER). */
    DLQ,
    /** Its transaction was committed. */
    COMMIT,
    /** Its transaction was rolled back. */
    ROLLBACK,
    /** The producer answered a transaction check with UNKNOWN. */
    CHECK_UNKNOWN
}
