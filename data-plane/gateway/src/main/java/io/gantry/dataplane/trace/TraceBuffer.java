package io.gantry.dataplane.trace;

import io.gantry.api.trace.v1.TraceEvent;
import io.netty.util.internal.PlatformDependent;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Trace events on their way from the event loops (many producers) to the publisher (one consumer),
 * bounded by a number of events and by an estimate of the memory they hold. {@link #offer} never waits:
 * when either bound is reached the event is dropped and counted.
 *
 * <p>The events are still builders: the publisher gives each its id, builds and serializes it, so
 * the event loop only fills in fields (references to strings the request already holds).
 */
final class TraceBuffer {
    /** One event and the cluster whose trace topic it goes to. */
    record Entry(String clusterId, TraceEvent.Builder event, int weight) {
    }

    // Netty's bounded multi-producer single-consumer array queue: an offer is one CAS, no lock, no
    // allocation, so event loops never wait for each other or for the publisher draining it.
    private final Queue<Entry> queue;
    private final AtomicLong bytes = new AtomicLong();
    private final long maxBytes;
    private final LongAdder dropped = new LongAdder();

    TraceBuffer(int maxEvents, long maxBytes) {
        this.queue = PlatformDependent.newFixedMpscQueue(maxEvents);
        this.maxBytes = maxBytes;
    }

    /** False (and counted) when the buffer is full. */
    boolean offer(String clusterId, TraceEvent.Builder event, int weight) {
        if (bytes.addAndGet(weight) > maxBytes) {
            bytes.addAndGet(-weight);
            dropped.increment();
            return false;
        }
        if (!queue.offer(new Entry(clusterId, event, weight))) {
            bytes.addAndGet(-weight);
            dropped.increment();
            return false;
        }
        return true;
    }

    /** The oldest event, or null. Only the publisher calls it. */
    Entry poll() {
        Entry e = queue.poll();
        if (e != null) {
            bytes.addAndGet(-e.weight());
        }
        return e;
    }

    int size() {
        return queue.size();
    }

    long bytes() {
        return bytes.get();
    }

    /** Dropped because the buffer was full, since the last call. */
    long takeDropped() {
        return dropped.sumThenReset();
    }
}
