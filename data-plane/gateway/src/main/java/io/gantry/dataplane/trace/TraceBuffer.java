package io.gantry.dataplane.trace;

import io.gantry.api.trace.v1.TraceEvent;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Trace events on their way from the event loops (many producers) to the publisher (one consumer),
 * bounded by a number of events and by an estimate of the memory they hold. {@link #offer} never waits:
 * when a bound is reached the event is dropped and counted.
 *
 * <p>Fair between instances: each instance has a lane of its own, and while several instances are
 * tracing, each may hold at most its share of both bounds (the bound divided by the instances that hold
 * events or offered one in the last second). A tenant that floods the gateway fills its own share and
 * loses its own events; the others keep room. {@link #rebalance()} (the publisher, every tick) recounts
 * the instances and drops the oldest events of a lane over its new share, so that a newcomer finds room
 * within one tick even when the flooder's cluster does not take events. With one instance tracing it
 * may use the whole buffer.
 *
 * <p>The events are still builders: the publisher gives each its id, builds and serializes it, so
 * the event loop only fills in fields (references to strings the request already holds).
 */
final class TraceBuffer {
    /** One event and the cluster whose trace topic it goes to. */
    record Entry(String clusterId, TraceEvent.Builder event, int weight) {
    }

    /** How many publisher ticks an instance that offered counts as tracing (~1 s at 10 ms). */
    static final int ACTIVE_TICKS = 100;

    /** One instance's events, oldest first. */
    static final class Lane {
        final String instanceId;
        // Netty's multi-producer single-consumer queue: an offer is a CAS, no lock; bounded by the counters
        private final Queue<Entry> queue = PlatformDependent.newMpscQueue();
        private final AtomicInteger events = new AtomicInteger();
        private final AtomicLong bytes = new AtomicLong();
        private volatile long lastOfferTick = Long.MIN_VALUE / 2;

        Lane(String instanceId) {
            this.instanceId = instanceId;
        }

        /** The oldest event's entry without taking it (publisher only). */
        Entry peek() {
            return queue.peek();
        }

        int size() {
            return events.get();
        }
    }

    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
    /** The publisher's snapshot of {@link #lanes} (publisher thread only), refreshed on rebalance. */
    private List<Lane> laneList = List.of();
    private final int maxEvents;
    private final long maxBytes;
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private volatile int shareEvents;
    private volatile long shareBytes;
    private volatile long tick;
    private volatile int activeInstances = 1;
    private final LongAdder droppedFull = new LongAdder();
    private final LongAdder droppedShare = new LongAdder();

    TraceBuffer(int maxEvents, long maxBytes) {
        this.maxEvents = maxEvents;
        this.maxBytes = maxBytes;
        this.shareEvents = maxEvents;
        this.shareBytes = maxBytes;
    }

    /** False (and counted) when the buffer, or the event's instance's share of it, is full. */
    boolean offer(String clusterId, TraceEvent.Builder event, int weight) {
        Lane lane = lane(event.getInstanceId());
        long now = tick;
        if (lane.lastOfferTick != now) {
            lane.lastOfferTick = now;
        }
        if (events.incrementAndGet() > maxEvents) {
            events.decrementAndGet();
            droppedFull.increment();
            return false;
        }
        if (bytes.addAndGet(weight) > maxBytes) {
            unreserve(weight);
            droppedFull.increment();
            return false;
        }
        if (lane.events.incrementAndGet() > shareEvents) {
            lane.events.decrementAndGet();
            unreserve(weight);
            droppedShare.increment();
            return false;
        }
        if (lane.bytes.addAndGet(weight) > shareBytes) {
            release(lane, weight);
            unreserve(weight);
            droppedShare.increment();
            return false;
        }
        lane.queue.offer(new Entry(clusterId, event, weight));
        return true;
    }

    private void unreserve(int weight) {
        bytes.addAndGet(-weight);
        events.decrementAndGet();
    }

    private static void release(Lane lane, int weight) {
        lane.bytes.addAndGet(-weight);
        lane.events.decrementAndGet();
    }

    private Lane lane(String instanceId) {
        Lane lane = lanes.get(instanceId);
        return lane != null ? lane : lanes.computeIfAbsent(instanceId, Lane::new);
    }

    /** The oldest event of a lane, or null (publisher only). */
    Entry poll(Lane lane) {
        Entry e = lane.queue.poll();
        if (e != null) {
            // the lane's count first: it never exceeds the buffer's, so a lone lane meets the buffer's bound first
            release(lane, e.weight());
            unreserve(e.weight());
        }
        return e;
    }

    /** The oldest event of some lane, or null (tests and close: no fairness needed). */
    Entry poll() {
        for (Lane lane : lanes.values()) {
            Entry e = poll(lane);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** The lanes as of the last {@link #rebalance()} (publisher only). */
    List<Lane> lanes() {
        if (laneList.size() != lanes.size()) {
            laneList = new ArrayList<>(lanes.values());
        }
        return laneList;
    }

    /**
     * Recounts the instances tracing, sets each one's share and drops the oldest events of lanes over it
     * (counted as over share). Publisher only; O(instances).
     */
    void rebalance() {
        long now = ++tick;
        List<Lane> all = lanes();
        int active = 0;
        for (Lane lane : all) {
            if (lane.events.get() > 0 || now - lane.lastOfferTick <= ACTIVE_TICKS) {
                active++;
            }
        }
        active = Math.max(1, active);
        activeInstances = active;
        int eventShare = Math.max(1, maxEvents / active);
        long byteShare = Math.max(1, maxBytes / active);
        shareEvents = eventShare;
        shareBytes = byteShare;
        for (Lane lane : all) {
            while (lane.events.get() > eventShare || lane.bytes.get() > byteShare) {
                if (poll(lane) == null) {
                    break;
                }
                droppedShare.increment();
            }
        }
    }

    int size() {
        return events.get();
    }

    long bytes() {
        return bytes.get();
    }

    /** Instances counted as tracing at the last rebalance. */
    int activeInstances() {
        return activeInstances;
    }

    /** Events one instance may hold now. */
    int shareEvents() {
        return shareEvents;
    }

    /** Dropped because the buffer was full, since the last call. */
    long takeDropped() {
        return droppedFull.sumThenReset();
    }

    /** Dropped because their instance held its share of the buffer, since the last call. */
    long takeDroppedOverShare() {
        return droppedShare.sumThenReset();
    }
}
