package io.gantry.dataplane.config;

import io.gantry.api.config.v1.ConfigSnapshot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds the newest {@link ConfigView}, swapped atomically. Snapshots older than or equal to the current
 * version are ignored (versions only grow). Listeners run, in the applying thread, before the new view
 * becomes visible to calls ({@code beforeSwap}: e.g. open upstream channels of new clusters) and after
 * ({@code afterSwap}: e.g. close the channels of removed clusters).
 */
public final class ConfigStore {
    private static final Logger LOG = Logger.getLogger(ConfigStore.class.getName());

    private final AtomicReference<ConfigView> current = new AtomicReference<>(ConfigView.EMPTY);
    private final List<Consumer<ConfigView>> beforeSwap = new CopyOnWriteArrayList<>();
    private final List<Consumer<ConfigView>> afterSwap = new CopyOnWriteArrayList<>();
    private final Object applyLock = new Object();

    public ConfigView current() {
        return current.get();
    }

    public void beforeSwap(Consumer<ConfigView> listener) {
        beforeSwap.add(listener);
    }

    public void afterSwap(Consumer<ConfigView> listener) {
        afterSwap.add(listener);
    }

    /** Applies a snapshot if it is newer; true when it replaced the current view. */
    public boolean apply(ConfigSnapshot snapshot) {
        synchronized (applyLock) {
            ConfigView old = current.get();
            if (old.loaded() && snapshot.getVersion() <= old.version()) {
                return false;
            }
            ConfigView view = ConfigView.of(snapshot);
            for (String problem : view.problems()) {
                LOG.warning("config v" + view.version() + ": " + problem);
            }
            for (Consumer<ConfigView> l : beforeSwap) {
                run(l, view);
            }
            current.set(view);
            for (Consumer<ConfigView> l : afterSwap) {
                run(l, view);
            }
            LOG.info("config v" + view.version() + " applied: " + view.instances().size() + " instances, "
                    + view.accountCount() + " accounts, " + view.clusters().size() + " clusters");
            synchronized (this) {
                notifyAll();
            }
            return true;
        }
    }

    /** Waits until a view of at least this version is current; false on timeout. */
    public boolean awaitVersion(long version, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (this) {
            while (current.get().version() < version) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    private static void run(Consumer<ConfigView> listener, ConfigView view) {
        try {
            listener.accept(view);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "config listener failed for v" + view.version(), e);
        }
    }
}
