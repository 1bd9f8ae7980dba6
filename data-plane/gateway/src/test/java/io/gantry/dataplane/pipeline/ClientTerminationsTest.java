package io.gantry.dataplane.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.api.config.v1.ClientLimits;
import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.config.ConfigView.InstanceEntry;
import io.gantry.dataplane.support.Snapshots;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Issue 14, hole 9: the termination table is bounded per instance, so one tenant cannot crowd out the others. */
class ClientTerminationsTest {
    final AtomicLong now = new AtomicLong(1_000_000_000L);
    final ConfigView view = ConfigView.of(Snapshots.snapshot(1, Snapshots.cluster("c", "127.0.0.1:1", "ak", "sk"),
            Snapshots.instance("rmq-noisy0000001", "c").setClientLimits(ClientLimits.newBuilder().setClientIds(5)).build(),
            Snapshots.instance("rmq-quiet0000001", "c").build()));
    final InstanceEntry noisy = view.instance("rmq-noisy0000001");
    final InstanceEntry quiet = view.instance("rmq-quiet0000001");

    @Test
    void oneInstanceTerminatingClientsInALoopFillsOnlyItsOwnShare() {
        ClientTerminations t = new ClientTerminations(now::get);
        for (int i = 0; i < 1_000; i++) {
            t.terminated(noisy, "rmq-noisy0000001!c" + i);
        }
        assertEquals(10, t.size(noisy.id()), "twice the instance's 5 client ids");
        t.terminated(quiet, "rmq-quiet0000001!c1");
        assertTrue(t.isTerminated(quiet, "rmq-quiet0000001!c1"));
        assertTrue(t.isTerminated(noisy, "rmq-noisy0000001!c0"));
        assertFalse(t.isTerminated(quiet, "rmq-noisy0000001!c0"), "looked up under another instance");
    }

    @Test
    void entriesExpireAfterAMinuteAndMakeRoom() {
        ClientTerminations t = new ClientTerminations(now::get);
        for (int i = 0; i < 10; i++) {
            t.terminated(noisy, "rmq-noisy0000001!c" + i);
        }
        t.terminated(noisy, "rmq-noisy0000001!late");
        assertFalse(t.isTerminated(noisy, "rmq-noisy0000001!late"), "over the bound");
        now.addAndGet(ClientTerminations.KEEP_NANOS + 1);
        assertFalse(t.isTerminated(noisy, "rmq-noisy0000001!c0"), "expired");
        t.terminated(noisy, "rmq-noisy0000001!late");
        assertTrue(t.isTerminated(noisy, "rmq-noisy0000001!late"));
    }
}
