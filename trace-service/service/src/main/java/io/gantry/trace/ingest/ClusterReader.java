package io.gantry.trace.ingest;

import com.google.protobuf.InvalidProtocolBufferException;
import io.gantry.api.trace.v1.TraceEvent;
import io.gantry.api.trace.v1.TraceEventBatch;
import io.gantry.trace.config.TraceTargets.ClusterAccess;
import io.gantry.trace.config.TraceTargets.DeadLetterTopic;
import io.gantry.trace.store.EventWriter;
import io.gantry.trace.store.EventWriter.QueueKey;
import io.gantry.trace.store.QueuePosition;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;

/**
 * Reads one RocketMQ cluster: the trace topic (every event the gateways published) and the %DLQ% topics
 * of the instances' consumer groups (dead letters the gateways never see). Two threads, each with its
 * own PostgreSQL connection and pull consumer (RocketMQ's remoting client, through the NameServer, with
 * Gantry's admin credentials).
 *
 * <p>Read positions live in PostgreSQL ({@code trace.queue_offsets}) and are written in the same
 * transaction as the events read up to them: after a crash, reading resumes exactly after the last
 * committed batch (what was read but not committed is read again; its duplicates are absorbed by
 * event_id). The broker keeps no offsets for these groups, so nothing is acknowledged before the commit,
 * and the %DLQ% topics, which a tenant may consume to replay, are only ever read, never consumed by a
 * group of theirs.
 *
 * <p>A queue read for the first time starts at its oldest message: what gateways published while the
 * trace service was away is not lost.
 */
public final class ClusterReader implements AutoCloseable {
    /** The topic gateways publish TraceEventBatch messages to, on every cluster. */
    public static final String TRACE_TOPIC = "GANTRY_TRACE_EVENTS";
    public static final String INDEXER_GROUP = "GANTRY_TRACE_INDEXER";
    public static final String DLQ_WATCH_GROUP = "GANTRY_TRACE_DLQ_WATCH";

    private static final Logger LOG = Logger.getLogger(ClusterReader.class.getName());
    private static final AtomicInteger CLIENTS = new AtomicInteger();

    /** How a reader paces itself. */
    public record Settings(int maxBatchEvents, Duration idleWait, Duration deadLetterInterval, Duration routeRefresh) {
        public static Settings defaults() {
            return new Settings(5000, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(30));
        }
    }

    private final ClusterAccess access;
    private final DataSource dataSource;
    private final Clock clock;
    private final Settings settings;
    private final IngestMetrics.Cluster metrics;
    private final DefaultMQPullConsumer traceConsumer;
    private final DefaultMQPullConsumer dlqConsumer;
    private final Thread traceThread;
    private final Thread dlqThread;
    private volatile List<DeadLetterTopic> deadLetterTopics = List.of();
    private volatile boolean running = true;
    private final Object idle = new Object();

    public ClusterReader(ClusterAccess access, DataSource dataSource, Clock clock, Settings settings, IngestMetrics metrics) {
        this.access = access;
        this.dataSource = dataSource;
        this.clock = clock;
        this.settings = settings;
        this.metrics = metrics.cluster(access.clusterId());
        // each reader its own client instance: RocketMQ shares one per instance name, with the first
        // consumer's NameServer and credentials
        String instanceName = "gantry-trace-" + access.clusterId() + "-" + ProcessHandle.current().pid() + "-" + CLIENTS.incrementAndGet();
        this.traceConsumer = consumer(INDEXER_GROUP, instanceName + "-events");
        this.dlqConsumer = consumer(DLQ_WATCH_GROUP, instanceName + "-dlq");
        this.traceThread = new Thread(this::readTraceTopic, "gantry-trace-ingest-" + access.clusterId());
        this.dlqThread = new Thread(this::watchDeadLetters, "gantry-trace-dlq-" + access.clusterId());
        traceThread.setDaemon(true);
        dlqThread.setDaemon(true);
    }

    private DefaultMQPullConsumer consumer(String group, String instanceName) {
        DefaultMQPullConsumer c = new DefaultMQPullConsumer(group,
                new AclClientRPCHook(new SessionCredentials(access.accessKey(), access.secretKey())));
        c.setNamesrvAddr(access.nameServerAddress());
        c.setInstanceName(instanceName);
        c.setVipChannelEnabled(false);
        return c;
    }

    public ClusterAccess access() {
        return access;
    }

    public void start() throws MQClientException {
        traceConsumer.start();
        dlqConsumer.start();
        traceThread.start();
        dlqThread.start();
        LOG.info("reading trace events of cluster " + access.clusterId() + " from " + access.nameServerAddress());
    }

    /** The dead-letter topics to watch (from the latest config snapshot). */
    public void deadLetterTopics(List<DeadLetterTopic> topics) {
        this.deadLetterTopics = List.copyOf(topics);
    }

    // --------------------------------------------------------------------------------------------- trace topic

    private void readTraceTopic() {
        Backoff backoff = new Backoff();
        Connection connection = null;
        EventWriter writer = null;
        Map<MessageQueue, Long> positions = new HashMap<>();
        List<MessageQueue> queues = List.of();
        long queuesRefreshedAt = 0;
        long lagMeasuredAt = 0;
        while (running) {
            try {
                if (connection == null) {
                    connection = dataSource.getConnection();
                    writer = new EventWriter(clock);
                    positions = loadPositions(connection, TRACE_TOPIC);
                }
                long now = System.nanoTime();
                if (queues.isEmpty() || now - queuesRefreshedAt > settings.routeRefresh().toNanos()) {
                    queues = sorted(traceConsumer.fetchSubscribeMessageQueues(TRACE_TOPIC));
                    queuesRefreshedAt = now;
                }
                List<TraceEvent> events = new ArrayList<>();
                Map<MessageQueue, Long> advanced = new LinkedHashMap<>();
                boolean found = false;
                for (MessageQueue mq : queues) {
                    long offset = position(positions, mq, traceConsumer);
                    PullResult result = traceConsumer.pull(mq, "*", offset, 32, 3000);
                    switch (result.getPullStatus()) {
                        case FOUND -> {
                            found = true;
                            for (MessageExt m : result.getMsgFoundList()) {
                                try {
                                    events.addAll(TraceEventBatch.parseFrom(m.getBody()).getEventsList());
                                } catch (InvalidProtocolBufferException e) {
                                    metrics.batchesMalformed.increment();
                                }
                            }
                        }
                        case OFFSET_ILLEGAL -> skipped(mq, offset, result.getNextBeginOffset());
                        default -> { }
                    }
                    if (result.getNextBeginOffset() != offset) {
                        advanced.put(mq, result.getNextBeginOffset());
                    }
                    if (events.size() >= settings.maxBatchEvents()) {
                        commit(connection, writer, events, advanced, positions, TRACE_TOPIC);
                        events = new ArrayList<>();
                        advanced = new LinkedHashMap<>();
                    }
                }
                if (!events.isEmpty() || !advanced.isEmpty()) {
                    commit(connection, writer, events, advanced, positions, TRACE_TOPIC);
                }
                if (now - lagMeasuredAt > Duration.ofSeconds(15).toNanos()) {
                    metrics.lag.set(lag(queues, positions));
                    lagMeasuredAt = now;
                }
                backoff.reset();
                if (!found) {
                    pause(settings.idleWait());
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                metrics.errors.increment();
                closeQuietly(connection);
                connection = null;
                if (e instanceof MQClientException && queues.isEmpty()) {
                    LOG.log(backoff.first() ? Level.WARNING : Level.FINE, "cluster " + access.clusterId() + ": no " + TRACE_TOPIC
                            + " topic yet (" + e.getMessage().lines().findFirst().orElse("") + ")");
                } else {
                    LOG.log(Level.WARNING, "cluster " + access.clusterId() + ": reading trace events failed, retrying", e);
                }
                queues = List.of();
                pause(backoff.next());
            }
        }
        closeQuietly(connection);
    }

    private long lag(List<MessageQueue> queues, Map<MessageQueue, Long> positions) {
        long lag = 0;
        for (MessageQueue mq : queues) {
            try {
                lag += Math.max(0, traceConsumer.maxOffset(mq) - positions.getOrDefault(mq, 0L));
            } catch (MQClientException e) {
                return -1;
            }
        }
        return lag;
    }

    // --------------------------------------------------------------------------------------------- %DLQ% topics

    private void watchDeadLetters() {
        Backoff backoff = new Backoff();
        Connection connection = null;
        EventWriter writer = null;
        Map<MessageQueue, Long> positions = new HashMap<>();
        Map<String, List<MessageQueue>> routes = new HashMap<>();
        Map<String, Long> absentUntil = new HashMap<>();
        long routesRefreshedAt = System.nanoTime();
        while (running) {
            try {
                if (connection == null) {
                    connection = dataSource.getConnection();
                    writer = new EventWriter(clock);
                    positions = loadPositions(connection, null);
                }
                List<TraceEvent> events = new ArrayList<>();
                Map<MessageQueue, Long> advanced = new LinkedHashMap<>();
                long now = System.nanoTime();
                for (DeadLetterTopic dlq : deadLetterTopics) {
                    List<MessageQueue> queues = routes.get(dlq.topic());
                    if (queues == null) {
                        Long until = absentUntil.get(dlq.topic());
                        if (until != null && now < until) {
                            continue;
                        }
                        try {
                            queues = sorted(dlqConsumer.fetchSubscribeMessageQueues(dlq.topic()));
                            routes.put(dlq.topic(), queues);
                        } catch (MQClientException e) {
                            // the broker creates a DLQ topic with the group's first dead letter
                            absentUntil.put(dlq.topic(), now + settings.routeRefresh().toNanos());
                            continue;
                        }
                    }
                    for (MessageQueue mq : queues) {
                        long offset = position(positions, mq, null);
                        PullResult result = dlqConsumer.pull(mq, "*", offset, 32, 3000);
                        switch (result.getPullStatus()) {
                            case FOUND -> {
                                for (MessageExt m : result.getMsgFoundList()) {
                                    events.add(DeadLetterMessages.toEvent(m, dlq));
                                    metrics.deadLettersFound.increment();
                                }
                            }
                            case OFFSET_ILLEGAL -> skipped(mq, offset, result.getNextBeginOffset());
                            default -> { }
                        }
                        if (result.getNextBeginOffset() != offset) {
                            advanced.put(mq, result.getNextBeginOffset());
                        }
                    }
                }
                if (!events.isEmpty() || !advanced.isEmpty()) {
                    commit(connection, writer, events, advanced, positions, null);
                }
                backoff.reset();
                if (events.isEmpty()) {
                    pause(settings.deadLetterInterval());
                }
                if (now - routesRefreshedAt > settings.routeRefresh().toNanos()) {
                    routes.clear(); // picks up queue changes of DLQ topics
                    routesRefreshedAt = now;
                }
            } catch (Exception e) {
                if (!running) {
                    break;
                }
                metrics.errors.increment();
                LOG.log(Level.WARNING, "cluster " + access.clusterId() + ": watching dead-letter topics failed, retrying", e);
                closeQuietly(connection);
                connection = null;
                routes.clear();
                pause(backoff.next());
            }
        }
        closeQuietly(connection);
    }

    // --------------------------------------------------------------------------------------------- shared

    private void commit(Connection connection, EventWriter writer, List<TraceEvent> events, Map<MessageQueue, Long> advanced,
                        Map<MessageQueue, Long> positions, String topicFilter) throws SQLException {
        List<QueuePosition> moved = new ArrayList<>();
        advanced.forEach((mq, next) -> moved.add(new QueuePosition(access.clusterId(), mq.getTopic(), mq.getBrokerName(), mq.getQueueId(), next)));
        EventWriter.Result result = writer.write(connection, events, moved);
        positions.putAll(advanced);
        metrics.eventsStored.add(result.inserted());
        metrics.eventsDuplicate.add(result.duplicates());
        metrics.eventsRejected.add(result.rejected());
        metrics.eventsParked.add(result.parked());
        metrics.lastCommitMillis.set(clock.millis());
    }

    /** The saved position of a queue, or (first read) its oldest message when a consumer is given, else 0. */
    private static long position(Map<MessageQueue, Long> positions, MessageQueue mq, DefaultMQPullConsumer consumer) throws MQClientException {
        Long p = positions.get(mq);
        if (p == null) {
            p = consumer == null ? 0L : consumer.minOffset(mq);
            positions.put(mq, p);
        }
        return p;
    }

    private void skipped(MessageQueue mq, long offset, long next) {
        if (next > offset) {
            metrics.messagesSkipped.add(next - offset);
            LOG.warning("cluster " + access.clusterId() + ": " + mq + " no longer holds offsets " + offset + ".." + (next - 1)
                    + " (removed by the broker's retention before they were read)");
        }
    }

    /** @param topic one topic, or null for every topic but the trace topic */
    private Map<MessageQueue, Long> loadPositions(Connection connection, String topic) throws SQLException {
        Map<MessageQueue, Long> positions = new HashMap<>();
        for (Map.Entry<QueueKey, Long> e : EventWriter.positions(connection, access.clusterId()).entrySet()) {
            QueueKey k = e.getKey();
            if (topic == null ? !k.topic().equals(TRACE_TOPIC) : k.topic().equals(topic)) {
                positions.put(new MessageQueue(k.topic(), k.brokerName(), k.queueId()), e.getValue());
            }
        }
        return positions;
    }

    private static List<MessageQueue> sorted(java.util.Collection<MessageQueue> queues) {
        List<MessageQueue> list = new ArrayList<>(queues);
        list.sort(Comparator.comparing(MessageQueue::getBrokerName).thenComparingInt(MessageQueue::getQueueId));
        return list;
    }

    private void pause(Duration d) {
        synchronized (idle) {
            if (!running) {
                return;
            }
            try {
                idle.wait(Math.max(1, d.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running = false;
            }
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the connection is being discarded anyway
            }
        }
    }

    @Override
    public void close() {
        running = false;
        synchronized (idle) {
            idle.notifyAll();
        }
        try {
            traceThread.join(10_000);
            dlqThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        traceConsumer.shutdown();
        dlqConsumer.shutdown();
    }

    /** 0.2 s doubling to 10 s. */
    private static final class Backoff {
        private long ms;

        Duration next() {
            ms = ms == 0 ? 200 : Math.min(10_000, ms * 2);
            return Duration.ofMillis(ms);
        }

        boolean first() {
            return ms == 0;
        }

        void reset() {
            ms = 0;
        }
    }
}
