package io.gantry.trace;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.trace.config.ConfigWatch;
import io.gantry.trace.config.TraceTargets.ClusterAccess;
import io.gantry.trace.config.TraceTargets;
import io.gantry.trace.ingest.ClusterReader;
import io.gantry.trace.ingest.IngestMetrics;
import io.gantry.trace.retention.ArchiveBucket;
import io.gantry.trace.retention.Retention;
import io.gantry.trace.store.TraceSchema;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The trace service: migrates the trace schema, reads every cluster of the config (trace topic and
 * %DLQ% topics) into PostgreSQL, moves days past the hot window to S3, and serves {@code /healthz} and
 * {@code /metrics}. Queries are not served here: the control plane runs them with
 * {@link io.gantry.trace.query.TraceQueries} against the same database and bucket.
 *
 * <pre>
 * try (TraceService service = TraceService.start(TraceServiceConfig.fromEnv(System.getenv()))) { ... }
 * </pre>
 */
public final class TraceService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TraceService.class.getName());

    private final TraceServiceConfig config;
    private final Clock clock;
    private final ClusterReader.Settings readerSettings;
    private final DataSource dataSource;
    private final ArchiveBucket archive;
    private final Retention retention;
    private final IngestMetrics metrics = new IngestMetrics();
    private final Map<String, ClusterReader> readers = new HashMap<>();
    private final ScheduledExecutorService scheduler;
    private final ConfigWatch watch;
    private final HttpServer http;
    private final LongAdder segmentsWritten = new LongAdder();
    private final LongAdder retentionFailures = new LongAdder();
    private final AtomicLong retentionSucceededMillis = new AtomicLong();
    private volatile long configVersion = -1;
    private boolean closed;

    private TraceService(TraceServiceConfig config, Clock clock, ClusterReader.Settings readerSettings,
                         Retention.StepListener steps) throws IOException {
        this.config = config;
        this.clock = clock;
        this.readerSettings = readerSettings;
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(config.dbUrl());
        ds.setUser(config.dbUser());
        ds.setPassword(config.dbPassword());
        ds.setApplicationName("gantry-trace-service");
        this.dataSource = ds;
        TraceSchema.migrate(dataSource);
        this.archive = config.archive() == null ? null : new ArchiveBucket(config.archive());
        if (archive != null) {
            archive.ensureExists();
        }
        this.retention = new Retention(dataSource, archive, clock, config.hotDays(), config.workDir(), steps);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-trace-retention");
            t.setDaemon(true);
            return t;
        });
        this.http = config.metricsPort() < 0 ? null : httpServer(config.metricsBind(), config.metricsPort());
        this.watch = config.configEndpoint() == null ? null
                : new ConfigWatch(config.configEndpoint(), config.gatewayToken(), config.serviceId(), config.region(), this::apply);
    }

    public static TraceService start(TraceServiceConfig config) throws IOException {
        return start(config, Clock.systemUTC(), ClusterReader.Settings.defaults(), Retention.StepListener.NONE);
    }

    /** With a clock (what "today" is for partitions and the hot window) and pacing of the readers. */
    public static TraceService start(TraceServiceConfig config, Clock clock, ClusterReader.Settings readerSettings,
                                     Retention.StepListener steps) throws IOException {
        TraceService service = new TraceService(config, clock, readerSettings, steps);
        service.scheduler.scheduleWithFixedDelay(service::retentionQuietly, 0, config.retentionInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (service.watch != null) {
            service.watch.start();
        }
        LOG.info("trace service started: " + config + (service.http == null ? "" : ", metrics on " + config.metricsBind() + ":" + service.metricsPort()));
        return service;
    }

    /** Reads the clusters of this snapshot (starting, stopping or re-keying readers as they changed). */
    public synchronized void apply(ConfigSnapshot snapshot) {
        if (closed) {
            return;
        }
        Map<String, ClusterAccess> clusters = TraceTargets.clusters(snapshot);
        readers.entrySet().removeIf(e -> {
            ClusterAccess wanted = clusters.get(e.getKey());
            if (wanted == null || !wanted.equals(e.getValue().access())) {
                LOG.info("stopping reader of cluster " + e.getKey());
                e.getValue().close();
                return true;
            }
            return false;
        });
        for (ClusterAccess access : clusters.values()) {
            ClusterReader reader = readers.get(access.clusterId());
            if (reader == null) {
                reader = new ClusterReader(access, dataSource, clock, readerSettings, metrics);
                reader.deadLetterTopics(TraceTargets.deadLetterTopics(snapshot, access.clusterId()));
                try {
                    reader.start();
                } catch (Exception e) {
                    LOG.log(Level.WARNING, "could not start reading cluster " + access.clusterId() + "; next snapshot retries", e);
                    reader.close();
                    continue;
                }
                readers.put(access.clusterId(), reader);
            } else {
                reader.deadLetterTopics(TraceTargets.deadLetterTopics(snapshot, access.clusterId()));
            }
        }
        configVersion = snapshot.getVersion();
    }

    /** One retention pass now (it also runs every {@code retentionInterval}). */
    public Retention.Outcome runRetention() throws SQLException, IOException {
        synchronized (retention) {
            Retention.Outcome outcome = retention.runOnce();
            segmentsWritten.add(outcome.segmentsWritten());
            retentionSucceededMillis.set(clock.millis());
            return outcome;
        }
    }

    private void retentionQuietly() {
        try {
            runRetention();
        } catch (Exception e) {
            retentionFailures.increment();
            LOG.log(Level.WARNING, "retention pass failed; the next pass repairs and continues", e);
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public int metricsPort() {
        return http == null ? -1 : http.getAddress().getPort();
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** The database answers and, with a config endpoint, a snapshot has arrived. */
    public boolean healthy() {
        if (watch != null && configVersion < 0) {
            return false;
        }
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private String renderMetrics() {
        StringBuilder out = new StringBuilder();
        metrics.render(out);
        out.append("# HELP gantry_trace_segments_written_total Archive segments uploaded to S3\n")
                .append("# TYPE gantry_trace_segments_written_total counter\n")
                .append("gantry_trace_segments_written_total ").append(segmentsWritten.sum()).append('\n')
                .append("# HELP gantry_trace_retention_failures_total Retention passes that failed (retried next interval)\n")
                .append("# TYPE gantry_trace_retention_failures_total counter\n")
                .append("gantry_trace_retention_failures_total ").append(retentionFailures.sum()).append('\n')
                .append("# HELP gantry_trace_retention_last_success_seconds When a retention pass last succeeded (epoch seconds)\n")
                .append("# TYPE gantry_trace_retention_last_success_seconds gauge\n")
                .append("gantry_trace_retention_last_success_seconds ").append(retentionSucceededMillis.get() / 1000).append('\n')
                .append("# HELP gantry_trace_config_version Version of the config snapshot in use (-1: none yet)\n")
                .append("# TYPE gantry_trace_config_version gauge\n")
                .append("gantry_trace_config_version ").append(configVersion).append('\n');
        return out.toString();
    }

    private HttpServer httpServer(String bind, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(bind, port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "gantry-trace-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", renderMetrics()));
        server.createContext("/healthz", ex -> {
            boolean ok = healthy();
            respond(ex, ok ? 200 : 503, "text/plain; charset=utf-8", ok ? "ok\n" : "not ready (database or config)\n");
        });
        server.start();
        return server;
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (watch != null) {
            watch.close();
        }
        scheduler.shutdownNow();
        synchronized (this) {
            readers.values().forEach(ClusterReader::close);
            readers.clear();
        }
        if (http != null) {
            http.stop(0);
            ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
        }
        if (archive != null) {
            archive.close();
        }
    }
}
