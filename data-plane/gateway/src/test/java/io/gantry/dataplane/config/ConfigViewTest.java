package io.gantry.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.api.config.v1.ConfigSnapshot;
import io.gantry.dataplane.support.Snapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConfigViewTest {
    static ConfigSnapshot snapshot(long version) {
        return ConfigSnapshot.newBuilder().setVersion(version)
                .addClusters(Snapshots.cluster("c1", "10.0.0.1:8081", "cak", "csk"))
                .addClusters(Snapshots.cluster("c2", "10.0.0.2:8081,10.0.0.3:8081", "cak2", "csk2"))
                .addInstances(Snapshots.instance("rmq-aaaaaaaaaaaa", "c1").addTopics(Snapshots.topic("orders"))
                        .addConsumerGroups(Snapshots.group("workers"))
                        .addAccounts(Snapshots.account("app", "AK1", "SK1", true))
                        .addAccounts(Snapshots.account("dup", "SHARED", "X", true)))
                .addInstances(Snapshots.instance("rmq-bbbbbbbbbbbb", "c2")
                        .addAccounts(Snapshots.account("app", "AK2", "SK2", false))
                        .addAccounts(Snapshots.account("dup", "SHARED", "Y", true)))
                .addInstances(Snapshots.instance("rmq-cccccccccccc", "nowhere").addAccounts(Snapshots.account("a", "AK3", "S", true)))
                .addInstances(Snapshots.instance("rmq-dddddddddddd", "c1").setNamespace("").addAccounts(Snapshots.account("a", "AK4", "S", true)))
                .addInstances(Snapshots.instance("rmq-eeeeeeeeeeee", "c1").setNamespace("x%y"))
                .build();
    }

    @Test
    void indexesAccountsInstancesAndClusters() {
        ConfigView v = ConfigView.of(snapshot(7));
        assertTrue(v.loaded());
        assertEquals(7, v.version());
        ConfigView.AccountEntry a1 = v.account("AK1");
        assertEquals("SK1", a1.secretKey());
        assertEquals("rmq-aaaaaaaaaaaa", a1.instance().id());
        assertEquals("rmq-aaaaaaaaaaaa", a1.instance().namespace());
        assertEquals("c1", a1.instance().clusterId());
        assertEquals("rmq-aaaaaaaaaaaa!", a1.instance().clientIdPrefix());
        assertTrue(a1.instance().topics().contains("orders"));
        assertTrue(a1.instance().groups().contains("workers"));
        assertSame(a1.instance(), v.instance("rmq-aaaaaaaaaaaa"));
        assertFalse(v.account("AK2").enabled());
        assertEquals("10.0.0.2:8081,10.0.0.3:8081", v.cluster("c2").getProxyEndpoint());
        assertEquals(2, v.clusters().size());
    }

    @Test
    void leavesOutWhatCouldBreakIsolation() {
        ConfigView v = ConfigView.of(snapshot(7));
        assertNull(v.account("SHARED"), "a key of two accounts authenticates nobody");
        assertNull(v.account("AK3"), "instance on an unknown cluster");
        assertNull(v.instance("rmq-cccccccccccc"));
        assertNull(v.account("AK4"), "instance without namespace");
        assertNull(v.instance("rmq-eeeeeeeeeeee"));
        assertEquals(4, v.problems().size(), v.problems().toString());
        assertFalse(ConfigView.EMPTY.loaded());
    }

    /** Before: an account whose type the snapshot left unset, or set to a value unknown here, was ADMIN. */
    @Test
    void anAccountOfUnspecifiedOrUnknownTypeMayOnlyWhatItsRulesAllow() {
        ConfigSnapshot snapshot = ConfigSnapshot.newBuilder().setVersion(1)
                .addClusters(Snapshots.cluster("c1", "10.0.0.1:8081", "cak", "csk"))
                .addInstances(Snapshots.instance("rmq-aaaaaaaaaaaa", "c1")
                        .addAccounts(Snapshots.account("admin", "AKA", "S", true))
                        .addAccounts(Snapshots.account("untyped", "AKU", "S", true).toBuilder()
                                .setType(io.gantry.api.config.v1.AccountType.ACCOUNT_TYPE_UNSPECIFIED))
                        .addAccounts(Snapshots.account("future", "AKF", "S", true).toBuilder().setTypeValue(99)))
                .build();
        ConfigView v = ConfigView.of(snapshot);
        assertSame(io.gantry.isolation.acl.AccountPermissions.ADMIN, v.account("AKA").permissions());
        for (String key : new String[] {"AKU", "AKF"}) {
            var p = v.account(key).permissions();
            assertNotSame(io.gantry.isolation.acl.AccountPermissions.ADMIN, p, key);
            assertFalse(p.allows(io.gantry.isolation.acl.AclResourceType.TOPIC, "orders", io.gantry.isolation.acl.AclAction.PUB,
                    java.net.InetAddress.getLoopbackAddress()), key);
        }
    }

    @Test
    void storeSwapsOnlyNewerSnapshotsAndRunsListenersAroundTheSwap() throws Exception {
        ConfigStore store = new ConfigStore();
        List<String> events = new ArrayList<>();
        store.beforeSwap(v -> events.add("before v" + v.version() + " current v" + store.current().version()));
        store.afterSwap(v -> events.add("after v" + v.version() + " current v" + store.current().version()));
        assertTrue(store.apply(snapshot(3)));
        assertFalse(store.apply(snapshot(3)));
        assertFalse(store.apply(snapshot(2)));
        assertTrue(store.apply(snapshot(4)));
        assertEquals(List.of("before v3 current v-1", "after v3 current v3", "before v4 current v3", "after v4 current v4"), events);
        assertTrue(store.awaitVersion(4, 1, TimeUnit.MILLISECONDS));
        assertFalse(store.awaitVersion(5, 10, TimeUnit.MILLISECONDS));
    }
}
