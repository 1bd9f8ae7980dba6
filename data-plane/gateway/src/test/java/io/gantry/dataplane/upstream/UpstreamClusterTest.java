package io.gantry.dataplane.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.support.Snapshots;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UpstreamClusterTest {
    @Test
    void aCallUsesTheChannelOfItsOwnEventLoop() throws Exception {
        io.netty.channel.DefaultEventLoopGroup group = new io.netty.channel.DefaultEventLoopGroup(2);
        List<io.netty.util.concurrent.EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        List<ManagedChannel> created = new ArrayList<>();
        Upstreams upstreams = new Upstreams(loops, loop -> endpoint -> {
            ManagedChannel ch = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
            created.add(ch);
            return ch;
        }, Clock.systemUTC());
        try {
            upstreams.prepare(ConfigView.of(Snapshots.snapshot(1, Snapshots.cluster("c", "127.0.0.1:1", "a", "s"))));
            UpstreamCluster.Proxy proxy = upstreams.cluster("c").pick("x");
            assertEquals(2, created.size());
            assertSame(created.get(0), loops.get(0).submit(proxy::channel).get());
            assertSame(created.get(1), loops.get(1).submit(proxy::channel).get());
            assertSame(created.get(0), proxy.channel(), "off the event loops: the first");
        } finally {
            upstreams.close();
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void channelsFollowTheConfigAndClientIdsStayPinned() {
        List<ManagedChannel> created = new ArrayList<>();
        Upstreams upstreams = new Upstreams(endpoint -> {
            ManagedChannel ch = ManagedChannelBuilder.forTarget(endpoint).usePlaintext().build();
            created.add(ch);
            return ch;
        }, Clock.systemUTC());
        try {
            ConfigView v1 = ConfigView.of(Snapshots.snapshot(1, Snapshots.cluster("c", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", "a", "s")));
            upstreams.prepare(v1);
            upstreams.retire();
            UpstreamCluster c = upstreams.cluster("c");
            assertEquals(3, c.proxies().size());
            Set<String> used = new HashSet<>();
            for (int i = 0; i < 300; i++) {
                String id = "rmq-aaaaaaaaaaaa!client-" + i;
                assertSame(c.pick(id), c.pick(id), "same client, same proxy");
                used.add(c.pick(id).endpoint());
            }
            assertEquals(3, used.size(), "clients spread over the proxies");
            assertNotNull(c.pick(null));

            // same endpoints, same keys: the same object; new keys: a new signer over the same channels
            upstreams.prepare(v1);
            assertSame(c, upstreams.cluster("c"));
            upstreams.prepare(ConfigView.of(Snapshots.snapshot(2, Snapshots.cluster("c", "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3", "a", "s2"))));
            assertEquals("a", upstreams.cluster("c").signer().accessKey());
            assertSame(c.proxies().get(0).channel(), upstreams.cluster("c").proxies().get(0).channel());
            assertEquals(3, created.size());

            // a proxy removed: its channel is closed once the new view is in use
            upstreams.prepare(ConfigView.of(Snapshots.snapshot(3, Snapshots.cluster("c", "127.0.0.1:1", "a", "s2"))));
            upstreams.retire();
            assertTrue(created.get(1).isShutdown());
            assertTrue(created.get(2).isShutdown());
            assertTrue(!created.get(0).isShutdown());

            // the cluster gone
            upstreams.prepare(ConfigView.of(Snapshots.snapshot(4, Snapshots.cluster("other", "127.0.0.1:9", "a", "s"))));
            upstreams.retire();
            assertNull(upstreams.cluster("c"));
            assertTrue(created.get(0).isShutdown());
        } finally {
            upstreams.close();
            created.forEach(ManagedChannel::shutdownNow);
        }
    }
}
