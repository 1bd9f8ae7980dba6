package io.gantry.controlplane.trace;

import io.agroal.api.AgroalDataSource;
import io.gantry.api.ErrorCode;
import io.gantry.controlplane.api.ApiException;
import io.gantry.trace.query.ArchiveLocation;
import io.gantry.trace.query.InvalidPageTokenException;
import io.gantry.trace.query.TraceQueries;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The trace service's store, read through its query library ({@link TraceQueries}) on the
 * control plane's {@code trace} datasource and, when configured, the S3 archive.
 *
 * <p>The trace tables belong to the trace service (its own Flyway creates schema {@code trace}).
 * Until it has run once against this database there is nothing to find, so a missing schema or table
 * answers as "no messages" rather than as an outage; any other failure of the store is UNAVAILABLE.
 */
@ApplicationScoped
public class TraceStore {
    private static final Logger LOG = Logger.getLogger(TraceStore.class);
    /** PostgreSQL: schema does not exist, relation does not exist. */
    private static final String INVALID_SCHEMA_NAME = "3F000";
    private static final String UNDEFINED_TABLE = "42P01";

    private final TraceQueries queries;

    @Inject
    public TraceStore(@DataSource("trace") AgroalDataSource dataSource,
                      @ConfigProperty(name = "gantry.trace.archive.endpoint") Optional<String> endpoint,
                      @ConfigProperty(name = "gantry.trace.archive.access-key") Optional<String> accessKey,
                      @ConfigProperty(name = "gantry.trace.archive.secret-key") Optional<String> secretKey,
                      @ConfigProperty(name = "gantry.trace.archive.bucket", defaultValue = "gantry-trace") String bucket,
                      @ConfigProperty(name = "gantry.trace.archive.region") Optional<String> region) {
        ArchiveLocation archive = endpoint.map(e -> new ArchiveLocation(e,
                accessKey.orElseThrow(() -> new IllegalStateException("gantry.trace.archive.access-key (GANTRY_S3_ACCESS_KEY) is required with an archive endpoint")),
                secretKey.orElseThrow(() -> new IllegalStateException("gantry.trace.archive.secret-key (GANTRY_S3_SECRET_KEY) is required with an archive endpoint")),
                bucket, region.orElse(null))).orElse(null);
        this.queries = TraceQueries.create(dataSource, archive);
    }

    /**
     * Runs a query; {@code whenNoStore} is the answer while the trace schema does not exist yet.
     *
     * @throws ApiException UNAVAILABLE when the store cannot answer, INVALID_PAGE_TOKEN for a foreign token
     */
    public <T> T read(Function<TraceQueries, T> query, T whenNoStore) {
        try {
            return query.apply(queries);
        } catch (InvalidPageTokenException e) {
            throw new ApiException(ErrorCode.INVALID_PAGE_TOKEN, "pageToken is not a token this list issued", "pageToken");
        } catch (RuntimeException e) {
            if (schemaMissing(e)) {
                return whenNoStore;
            }
            LOG.warnf(e, "trace store query failed");
            throw new ApiException(ErrorCode.UNAVAILABLE, "the message trace store is unavailable; retry later");
        }
    }

    private static boolean schemaMissing(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql
                    && (INVALID_SCHEMA_NAME.equals(sql.getSQLState()) || UNDEFINED_TABLE.equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    void onStop(@Observes ShutdownEvent event) {
        queries.close();
    }
}
