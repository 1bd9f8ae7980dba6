package io.gantry.controlplane.trace;

import io.agroal.api.AgroalDataSource;
import io.gantry.api.ErrorCode;
import io.gantry.controlplane.api.ApiException;
import io.gantry.trace.query.ArchiveLocation;
import io.gantry.trace.query.InvalidPageTokenException;
import io.gantry.trace.query.TraceQueries;
import io.gantry.trace.query.TraceSchemaNotReadyException;
import io.quarkus.agroal.DataSource;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.function.Function;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The trace service's store, read through its query library ({@link TraceQueries}) on the
 * control plane's {@code trace} datasource and, when configured, the S3 archive.
 *
 * <p>The trace tables belong to the trace service (its own Flyway creates schema {@code trace}); the
 * library checks the schema's version before it reads ({@link TraceSchemaNotReadyException}). Until the
 * trace service has migrated this database once there is nothing to find, so that answers as "no
 * messages" rather than as an outage; a schema older than the library reads (the trace service of this
 * release not started yet) and any other failure of the store are UNAVAILABLE.
 */
@ApplicationScoped
public class TraceStore {
    private static final Logger LOG = Logger.getLogger(TraceStore.class);

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

    TraceStore(TraceQueries queries) {
        this.queries = queries;
    }

    /**
     * Runs a query; {@code whenNoStore} is the answer while the trace service has never migrated the
     * trace schema.
     *
     * @throws ApiException UNAVAILABLE when the store cannot answer, INVALID_PAGE_TOKEN for a foreign token
     */
    public <T> T read(Function<TraceQueries, T> query, T whenNoStore) {
        try {
            return query.apply(queries);
        } catch (InvalidPageTokenException e) {
            throw new ApiException(ErrorCode.INVALID_PAGE_TOKEN, "pageToken is not a token this list issued", "pageToken");
        } catch (TraceSchemaNotReadyException e) {
            if (e.neverMigrated()) {
                return whenNoStore;
            }
            LOG.warnf("trace store query refused: %s", e.getMessage());
            throw unavailable();
        } catch (RuntimeException e) {
            LOG.warnf(e, "trace store query failed");
            throw unavailable();
        }
    }

    private static ApiException unavailable() {
        return new ApiException(ErrorCode.UNAVAILABLE, "the message trace store is unavailable; retry later");
    }

    void onStop(@Observes ShutdownEvent event) {
        queries.close();
    }
}
