package io.gantry.controlplane.provisioning;

import io.gantry.controlplane.model.ProvisionedEntity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Brings RocketMQ clusters to the desired state stored in Postgres.
 *
 * <p>One loop thread per control plane. Each pass goes through the kinds in {@link #KINDS}, picks
 * their resources whose status is CREATING, UPDATING or DELETING and whose next attempt is due, and
 * handles each in its own transaction that first takes the resource's row lock with
 * {@code FOR UPDATE SKIP LOCKED}: several control planes can run side by side, and a resource is
 * handled by one at a time. Inside, {@link Reconciliation} runs the kind's chain of idempotent steps
 * and saves status in the same transaction: a crash anywhere leaves the resource pending, and the
 * next pass (here or after a restart) runs the chain again. A cluster that does not answer is not a
 * failure: the resource waits with a condition saying so, retried with exponential backoff; a step
 * that throws anything else rolls back its transaction, and a new one saves Ready=False with reason
 * StepFailed and the same backoff.
 */
@ApplicationScoped
public class Reconciler {
    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final InstanceReconciler INSTANCES = new InstanceReconciler();
    /**
     * The order of a pass. Instances come first (topics and groups need a placement) and again last:
     * a deleting instance waits for its topics and groups, which the passes in between just removed.
     */
    static final List<KindReconciler<?>> KINDS = List.of(INSTANCES, new TopicReconciler(),
            new ConsumerGroupReconciler(), new OffsetResetReconciler(), INSTANCES);

    @Inject
    RocketMqAdmin admin;
    @Inject
    DatabaseProvisioningStore store;
    @Inject
    SystemTopics systemTopics;

    @ConfigProperty(name = "gantry.provisioner.enabled")
    boolean enabled;
    @ConfigProperty(name = "gantry.provisioner.poll-interval")
    Duration pollInterval;
    @ConfigProperty(name = "gantry.provisioner.max-backoff")
    Duration maxBackoff;
    /** Fault injection for the crash-recovery test: halt the JVM right after this step ({@code <kind>:<step>}) ran. */
    @ConfigProperty(name = "gantry.provisioner.halt-after-step")
    Optional<String> haltAfterStep;

    private final Semaphore wakeUp = new Semaphore(0);
    private volatile boolean running;
    private Thread loop;
    private Reconciliation reconciliation;

    @PostConstruct
    void init() {
        reconciliation = new Reconciliation(admin, store, maxBackoff, this::haltIfInjected);
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        running = true;
        loop = new Thread(this::run, "gantry-provisioner");
        loop.setDaemon(true);
        loop.start();
    }

    void onStop(@Observes ShutdownEvent event) {
        running = false;
        if (loop != null) {
            loop.interrupt();
        }
    }

    void onRequested(@Observes(during = TransactionPhase.AFTER_SUCCESS) ProvisioningRequested event) {
        wakeUp.release();
    }

    private void run() {
        while (running) {
            try {
                passOnce();
            } catch (RuntimeException e) {
                // Postgres down or similar: keep the loop alive, try again next poll.
                LOG.warnf("provisioner pass failed: %s", e.toString());
            }
            try {
                if (wakeUp.tryAcquire(pollInterval.toMillis(), TimeUnit.MILLISECONDS)) {
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** One pass over everything that is due. Visible for tests that drive the loop themselves. */
    public void passOnce() {
        systemTopics.ensureOnActiveClusters();
        for (KindReconciler<?> kind : KINDS) {
            for (Object[] key : QuarkusTransaction.requiringNew().call(() -> store.due(kind))) {
                reconcile(kind, key);
            }
        }
    }

    private <E extends ProvisionedEntity> void reconcile(KindReconciler<E> kind, Object[] key) {
        try {
            QuarkusTransaction.requiringNew().run(() -> store.lock(kind, key).ifPresent(resource -> {
                Reconciliation.Report report = reconciliation.run(kind, resource, Instant.now());
                LOG.debugf("%s %s: %s", kind.resource().auditKind(), Arrays.toString(key), report);
            }));
        } catch (RuntimeException e) {
            Reconciliation.StepFailedException failed = stepFailure(e);
            if (failed == null) {
                throw e;
            }
            LOG.warnf(failed.getCause(), "%s %s: step %s failed; retrying with backoff", kind.resource().auditKind(),
                    Arrays.toString(key), failed.step);
            QuarkusTransaction.requiringNew().run(() -> store.lock(kind, key)
                    .ifPresent(resource -> reconciliation.fail(kind, resource, failed.step, Instant.now())));
        }
    }

    private static Reconciliation.StepFailedException stepFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof Reconciliation.StepFailedException f) {
                return f;
            }
        }
        return null;
    }

    private void haltIfInjected(String step) {
        if (haltAfterStep.isPresent() && haltAfterStep.get().equals(step)) {
            LOG.errorf("fault injection: halting after step %s", step);
            Runtime.getRuntime().halt(86);
        }
    }
}
