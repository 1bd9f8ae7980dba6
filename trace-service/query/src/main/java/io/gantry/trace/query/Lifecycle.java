package io.gantry.trace.query;

import java.util.List;

/**
 * The whole life of one message: every hop in time order (duplicates of an event counted once), and
 * per consumer group where it stands.
 *
 * @param transaction null unless the message is a transaction message
 */
public record Lifecycle(
        MessageRecord message,
        List<Hop> hops,
        List<GroupConsumption> groups,
        TransactionState transaction) {

    public Lifecycle {
        hops = List.copyOf(hops);
        groups = List.copyOf(groups);
    }
}
