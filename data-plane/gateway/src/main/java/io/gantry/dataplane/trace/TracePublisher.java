package io.gantry.dataplane.trace;

import com.google.protobuf.ByteString;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventBatch;
import io.gantry.dataplane.metrics.GatewayMetrics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Drains the {@link TraceBuffer} on its own thread, groups events by cluster into
 * {@link TraceEventBatch}es (at most {@link Limits#maxEvents} events or {@link Limits#maxBytes}, and
 * at most {@link Limits#maxDelayMillis} after the batch's first event) and hands each batch to a
 * {@link BatchSender}, retrying a failed send with backoff and then dropping it, counted.
 *
 * <p>Event ids ({@code <gatewayId>:<startup epoch millis>:<sequence>}) are given here, once: a retried
 * batch is the same bytes, so the trace service can tell a duplicate from a new event.
 *
 * <p>Threading: draining, sealing and retries run on one scheduler thread; the sender's completions may
 * arrive on any thread (the upstream channels' event loops) and only count or schedule a retry.
 */
final class TracePublisher {
    private static final Logger LOG = Logger.getLogger(TracePublisher.class.getName());
    static final String PUBLISHED = "published";
    static final String DROPPED_BUFFER_FULL = "dropped_buffer_full";
    static final String DROPPED_REFUSED = "dropped_refused";
    static final String DROPPED_INSTANCE_SHARE = "dropped_instance_share";
    static final String DROPPED_OVERSIZED = "dropped_oversized";
    /** Events taken from one instance's lane before the next lane's turn: batches are shared fairly. */
    static final int QUANTUM = 64;

    /** Publishes one serialized batch to a cluster's trace topic; completes exceptionally when refused or failed. */
    interface BatchSender {
        CompletionStage<Void> send(Batch batch);
    }

    /** A sealed batch: the bytes published (the same on every attempt). */
    record Batch(String clusterId, String messageId, ByteString body, int events) {
    }

    /**
     * @param maxEvents       events per batch
     * @param maxBytes        serialized bytes per batch
     * @param maxDelayMillis  how long the first event of a batch waits for more
     * @param tickMillis      how often the buffer is drained
     * @param backoffMillis   the wait before each retry; its length is the number of retries
     * @param maxInFlight     batches per cluster being sent or waiting for a retry; while a cluster has
     *                        that many, its events wait in the buffer (whose per-instance shares then
     *                        decide whose events are dropped)
     * @param maxEventBytes   a serialized event larger than this is dropped (counted), never sent alone
     *                        in a batch the proxy would refuse
     */
    record Limits(int maxEvents, int maxBytes, long maxDelayMillis, long tickMillis, long[] backoffMillis, int maxInFlight,
                  int maxEventBytes) {
        static final Limits DEFAULT = new Limits(1_000, 1024 * 1024, 100, 10, new long[] {200, 1_000, 3_000}, 8, 64 * 1024);

        Limits(int maxEvents, int maxBytes, long maxDelayMillis, long tickMillis, long[] backoffMillis, int maxInFlight) {
            this(maxEvents, maxBytes, maxDelayMillis, tickMillis, backoffMillis, maxInFlight, Math.min(maxBytes, 64 * 1024));
        }
    }

    private final String gatewayId;
    private final String eventIdPrefix;
    private final TraceBuffer buffer;
    private final BatchSender sender;
    private final GatewayMetrics metrics;
    private final Limits limits;
    private final TraceMessageIds messageIds = new TraceMessageIds();
    private final ScheduledThreadPoolExecutor scheduler;
    /** Batches being filled, by cluster (publisher thread only). */
    private final Map<String, Open> open = new HashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** Batches sent and not yet published or dropped, by message id. */
    private final Map<String, Batch> unfinished = new ConcurrentHashMap<>();
    private long sequence;
    private volatile boolean refusalLogged;

    private final class Open {
        final String clusterId;
        final List<TraceEvent> events = new ArrayList<>();
        final long openedNanos = System.nanoTime();
        int bytes;

        Open(String clusterId) {
            this.clusterId = clusterId;
        }
    }

    TracePublisher(String gatewayId, TraceBuffer buffer, BatchSender sender, GatewayMetrics metrics, Limits limits) {
        this.gatewayId = gatewayId;
        this.eventIdPrefix = gatewayId + ":" + System.currentTimeMillis() + ":";
        this.buffer = buffer;
        this.sender = sender;
        this.metrics = metrics;
        this.limits = limits;
        this.scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "gantry-trace-publisher");
            t.setDaemon(true);
            return t;
        });
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::tick, limits.tickMillis(), limits.tickMillis(), TimeUnit.MILLISECONDS);
    }

    /** Drains what is buffered and publishes the batches that are full or old enough. */
    void tick() {
        try {
            drain(false);
        } catch (RuntimeException e) {
            LOG.warning("trace publisher: " + e);
        }
    }

    private void drain(boolean flushAll) {
        buffer.rebalance();
        long dropped = buffer.takeDropped();
        if (dropped > 0) {
            metrics.traceEvents(DROPPED_BUFFER_FULL, dropped);
        }
        long overShare = buffer.takeDroppedOverShare();
        if (overShare > 0) {
            metrics.traceEvents(DROPPED_INSTANCE_SHARE, overShare);
        }
        // round robin over the instances, QUANTUM events each: a flooding tenant's events fill only its
        // turns of each batch, and a cluster with all its batches in flight leaves its events buffered
        List<TraceBuffer.Lane> lanes = buffer.lanes();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (TraceBuffer.Lane lane : lanes) {
                for (int k = 0; k < QUANTUM; k++) {
                    TraceBuffer.Entry head = lane.peek();
                    if (head == null || (!flushAll && busy(head.clusterId()))) {
                        break;
                    }
                    add(buffer.poll(lane), flushAll);
                    progress = true;
                }
            }
        }
        long now = System.nanoTime();
        for (Open batch : new ArrayList<>(open.values())) {
            if (flushAll || now - batch.openedNanos >= TimeUnit.MILLISECONDS.toNanos(limits.maxDelayMillis())) {
                seal(batch, flushAll);
            }
        }
    }

    private void add(TraceBuffer.Entry entry, boolean force) {
        TraceEvent event = entry.event().setEventId(eventIdPrefix + (++sequence)).build();
        int size = event.getSerializedSize() + 4;
        if (size > limits.maxEventBytes()) {
            metrics.traceEvents(DROPPED_OVERSIZED, 1);
            return;
        }
        Open batch = open.get(entry.clusterId());
        if (batch != null && (batch.bytes + size > limits.maxBytes() || batch.events.size() >= limits.maxEvents())) {
            seal(batch, force);
            batch = null;
        }
        if (batch == null) {
            batch = new Open(entry.clusterId());
            open.put(entry.clusterId(), batch);
        }
        batch.events.add(event);
        batch.bytes += size;
        if (batch.events.size() >= limits.maxEvents()) {
            seal(batch, force);
        }
    }

    /** All of the cluster's batches are in flight: its events wait. */
    private boolean busy(String clusterId) {
        AtomicInteger n = inFlight.get(clusterId);
        return n != null && n.get() >= limits.maxInFlight();
    }

    /**
     * Sends the batch if the cluster has room for one more in flight; otherwise keeps it open (a later
     * tick seals it), or with {@code force} (closing) drops it, counted.
     */
    private void seal(Open batch, boolean force) {
        int n = batch.events.size();
        if (n == 0) {
            open.remove(batch.clusterId);
            return;
        }
        AtomicInteger clusterInFlight = inFlight.computeIfAbsent(batch.clusterId, k -> new AtomicInteger());
        if (clusterInFlight.get() >= limits.maxInFlight()) {
            if (force) {
                open.remove(batch.clusterId);
                metrics.traceEvents(DROPPED_BUFFER_FULL, n);
            }
            return;
        }
        open.remove(batch.clusterId);
        ByteString body = TraceEventBatch.newBuilder().setGatewayId(gatewayId).addAllEvents(batch.events).build().toByteString();
        Batch sealed = new Batch(batch.clusterId, messageIds.next(), body, n);
        clusterInFlight.incrementAndGet();
        unfinished.put(sealed.messageId(), sealed);
        attempt(sealed, 0);
    }

    private void attempt(Batch batch, int retries) {
        CompletionStage<Void> sent;
        try {
            sent = sender.send(batch);
        } catch (RuntimeException e) {
            sent = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ok, failure) -> {
            if (failure == null) {
                done(batch, PUBLISHED);
                return;
            }
            if (retries < limits.backoffMillis().length) {
                try {
                    scheduler.schedule(() -> attempt(batch, retries + 1), limits.backoffMillis()[retries], TimeUnit.MILLISECONDS);
                    return;
                } catch (RejectedExecutionException shuttingDown) {
                    // fall through: counted as refused
                }
            }
            if (!refusalLogged) {
                refusalLogged = true;
                LOG.warning("trace batch of " + batch.events() + " events to cluster " + batch.clusterId() + " dropped after "
                        + (retries + 1) + " attempts: " + failure.getMessage() + " (logged once; see gantry_gateway_trace_events_total)");
            }
            done(batch, DROPPED_REFUSED);
        });
    }

    /** Counts a batch once, whichever of a late completion and {@link #close} comes first. */
    private void done(Batch batch, String outcome) {
        if (unfinished.remove(batch.messageId()) == null) {
            return;
        }
        metrics.traceEvents(outcome, batch.events());
        inFlight.get(batch.clusterId()).decrementAndGet();
        synchronized (unfinished) {
            unfinished.notifyAll();
        }
    }

    /**
     * Publishes everything buffered and open now, waits up to {@code deadlineMillis} for the sends (and
     * their retries) to finish, then stops; what has not finished by then is counted as refused.
     */
    void close(long deadlineMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        try {
            scheduler.submit(() -> drain(true)).get(deadlineMillis, TimeUnit.MILLISECONDS);
            synchronized (unfinished) {
                long left;
                while (!unfinished.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
                    unfinished.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warning("trace publisher: final flush failed: " + e);
        }
        scheduler.shutdownNow();
        if (!unfinished.isEmpty()) {
            LOG.warning(unfinished.size() + " trace batch(es) still unpublished at shutdown: dropped");
            for (Batch b : List.copyOf(unfinished.values())) {
                done(b, DROPPED_REFUSED);
            }
        }
    }

    /** Batches being sent or waiting for a retry (tests). */
    int inFlight() {
        return unfinished.size();
    }
}
