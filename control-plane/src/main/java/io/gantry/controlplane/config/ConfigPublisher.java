package io.gantry.controlplane.config;

import io.gantry.api.config.v1.ConfigSnapshot;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the current gateway snapshot and tells watchers when it changes. Polls the config version
 * (bumped by database triggers with every relevant change), so changes made by any control-plane
 * replica reach the gateways watching this one within a poll interval.
 */
@ApplicationScoped
public class ConfigPublisher {
    private static final Logger LOG = Logger.getLogger(ConfigPublisher.class);

    @Inject
    EntityManager em;
    @Inject
    ConfigSnapshotBuilder builder;
    @ConfigProperty(name = "gantry.config.poll-interval")
    Duration pollInterval;

    private final CopyOnWriteArrayList<Consumer<ConfigSnapshot>> watchers = new CopyOnWriteArrayList<>();
    private volatile ConfigSnapshot current;
    private ScheduledExecutorService poller;

    void onStart(@Observes StartupEvent event) {
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gantry-config-publisher");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::refresh, 0, pollInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    /** The newest snapshot, built on demand if the poller has not produced one yet. */
    public ConfigSnapshot current() {
        ConfigSnapshot s = current;
        if (s == null) {
            refresh();
            s = current;
        }
        return s;
    }

    public Runnable subscribe(Consumer<ConfigSnapshot> watcher) {
        watchers.add(watcher);
        return () -> watchers.remove(watcher);
    }

    synchronized void refresh() {
        try {
            ConfigSnapshot built = QuarkusTransaction.requiringNew().call(() -> {
                long version = ((Number) em.createNativeQuery("SELECT version FROM config_state WHERE id = 1")
                        .getSingleResult()).longValue();
                ConfigSnapshot known = current;
                return known != null && known.getVersion() == version ? null : builder.build(version);
            });
            if (built == null) {
                return;
            }
            current = built;
            for (Consumer<ConfigSnapshot> w : watchers) {
                try {
                    w.accept(built);
                } catch (RuntimeException e) {
                    LOG.debugf(e, "a watcher failed");
                }
            }
        } catch (RuntimeException e) {
            // The database is down: gateways keep what they have; try again next poll.
            LOG.warnf("cannot refresh the gateway config: %s", e.toString());
        }
    }
}
