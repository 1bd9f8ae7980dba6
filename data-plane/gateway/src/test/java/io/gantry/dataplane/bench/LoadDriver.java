package io.gantry.dataplane.bench;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.Encoding;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.MessagingServiceGrpc;
import apache.rocketmq.v2.QueryRouteRequest;
import apache.rocketmq.v2.Resource;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SystemProperties;
import com.google.protobuf.ByteString;
import com.google.protobuf.util.Timestamps;
import io.gantry.dataplane.support.FakeConfigService;
import io.gantry.dataplane.support.Snapshots;
import io.gantry.isolation.credentials.RequestSignature;
import io.gantry.isolation.naming.InstanceIds;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.localstack.RocketMqCluster;
import io.gantry.localstack.SharedComponents;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * Not a test: a load driver comparing, in one run on one machine, sending straight to the RocketMQ proxy
 * with sending through a gateway running as its own process ({@code java -jar}), so that its CPU time
 * per message can be read from /proc. A grpc-java producer (not the SDK, which cannot share this
 * classpath) sends 1 KiB messages with a fixed number in flight, signing each call as the SDK does.
 *
 * <p>Run (after {@code mvn -pl data-plane/gateway -am install -DskipTests}):
 * <pre>
 * cd data-plane/gateway
 * mvn -q dependency:build-classpath -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test
 * java -cp target/test-classes:target/classes:$(cat target/test.cp) io.gantry.dataplane.bench.LoadDriver [seconds] [warmup] [inflight]
 * </pre>
 */
public final class LoadDriver {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> DATE_TIME = Metadata.Key.of("x-mq-date-time", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> CLIENT_ID = Metadata.Key.of("x-mq-client-id", Metadata.ASCII_STRING_MARSHALLER);

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int inflight = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        String sequence = args.length > 3 ? args[3] : "direct,gateway,gateway-tls,direct,gateway,gateway-tls";
        RocketMqCluster mq = SharedComponents.rocketMq();
        String ns = InstanceIds.newId();
        DefaultMQAdminExt admin = new DefaultMQAdminExt(new AclClientRPCHook(new SessionCredentials(mq.adminAccessKey(), mq.adminSecretKey())), 5000);
        admin.setNamesrvAddr(mq.nameServerAddress());
        admin.setInstanceName("bench-" + System.nanoTime());
        admin.start();
        TopicConfig topic = new TopicConfig(Namespaces.wrap(ns, "bench"), 8, 8);
        topic.setAttributes(Map.of("+message.type", "NORMAL"));
        admin.createAndUpdateTopicConfig(mq.brokerAddress(), topic);
        admin.shutdown();

        String token = UUID.randomUUID().toString();
        FakeConfigService control = new FakeConfigService(token, Snapshots.snapshot(1,
                Snapshots.cluster("local", mq.proxyGrpcEndpoint(), mq.adminAccessKey(), mq.adminSecretKey()),
                Snapshots.instance(ns, "local").addTopics(Snapshots.topic("bench"))
                        .addAccounts(Snapshots.account("bench", "bench-ak", "bench-sk", true)).build())).start(0);

        int tlsPort = freePort();
        int plainPort = freePort();
        Path jar = Files.list(Path.of("target")).filter(p -> p.getFileName().toString().matches("data-plane-gateway-.*\\.jar"))
                .findFirst().orElseThrow(() -> new IllegalStateException("build the gateway jar first"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString());
        pb.environment().putAll(Map.of("GANTRY_GATEWAY_PORT", String.valueOf(tlsPort),
                "GANTRY_GATEWAY_PLAINTEXT_PORT", String.valueOf(plainPort), "GANTRY_GATEWAY_METRICS_PORT", "0",
                "GANTRY_CONFIG_ENDPOINT", control.endpoint(), "GANTRY_GATEWAY_TOKEN", token));
        if (System.getenv("GANTRY_GATEWAY_IO_THREADS") != null) {
            pb.environment().put("GANTRY_GATEWAY_IO_THREADS", System.getenv("GANTRY_GATEWAY_IO_THREADS"));
        }
        if (System.getenv("GATEWAY_JAVA_OPTS") != null) {
            pb.environment().put("JAVA_TOOL_OPTIONS", System.getenv("GATEWAY_JAVA_OPTS"));
        }
        pb.redirectErrorStream(true).redirectOutput(new File("target/bench-gateway.log"));
        Process gateway = pb.start();
        try {
            ManagedChannel direct = NettyChannelBuilder.forTarget(mq.proxyGrpcEndpoint()).usePlaintext().build();
            ManagedChannel viaPlain = NettyChannelBuilder.forAddress("127.0.0.1", plainPort).usePlaintext().build();
            ManagedChannel viaTls = NettyChannelBuilder.forAddress("127.0.0.1", tlsPort).overrideAuthority("localhost")
                    .sslContext(GrpcSslContexts.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build()).build();
            Channel directSigned = signed(direct, mq.adminAccessKey(), mq.adminSecretKey());
            Channel plainSigned = signed(viaPlain, "bench-ak", "bench-sk");
            Channel tlsSigned = signed(viaTls, "bench-ak", "bench-sk");
            awaitRoute(plainSigned, "bench");
            System.out.printf("1 KiB messages, %d in flight, %d s warm-up, %d s measured; 2 cores shared by everything%n",
                    inflight, warmup, seconds);
            // warm every JVM up (proxy, broker, gateway, driver) before anything is measured
            run("warm-up direct", directSigned, Namespaces.wrap(ns, "bench"), warmup, 0, inflight, -1);
            run("warm-up gateway", tlsSigned, "bench", warmup, 0, inflight, gateway.pid());
            java.util.List<Result> directs = new java.util.ArrayList<>();
            java.util.List<Result> plains = new java.util.ArrayList<>();
            java.util.List<Result> tlss = new java.util.ArrayList<>();
            for (String step : sequence.split(",")) {
                switch (step) {
                    case "direct" -> directs.add(run("direct to proxy (plaintext)", directSigned, Namespaces.wrap(ns, "bench"),
                            seconds, warmup, inflight, -1));
                    case "gateway" -> plains.add(run("through gateway (plaintext)", plainSigned, "bench", seconds, warmup,
                            inflight, gateway.pid()));
                    case "gateway-tls" -> tlss.add(run("through gateway (TLS, SDK default)", tlsSigned, "bench", seconds,
                            warmup, inflight, gateway.pid()));
                    default -> throw new IllegalArgumentException(step);
                }
            }
            Result d = mean(directs);
            if (d != null && !plains.isEmpty()) {
                Result g = mean(plains);
                System.out.printf("mean ratio gateway/direct (plaintext): %.2f; added p99 %.2f ms; gateway CPU %.1f µs/msg%n",
                        g.rate / d.rate, g.p99 - d.p99, g.cpuPerMessage);
            }
            if (d != null && !tlss.isEmpty()) {
                Result t = mean(tlss);
                System.out.printf("mean ratio gateway-tls/direct: %.2f; added p99 %.2f ms; gateway CPU %.1f µs/msg%n",
                        t.rate / d.rate, t.p99 - d.p99, t.cpuPerMessage);
            }
            direct.shutdownNow();
            viaPlain.shutdownNow();
            viaTls.shutdownNow();
        } finally {
            gateway.destroy();
            gateway.waitFor(10, TimeUnit.SECONDS);
            control.close();
        }
        System.exit(0);
    }

    record Result(double rate, double p50, double p99, double p999, double cpuPerMessage) {
    }

    static Result mean(java.util.List<Result> rs) {
        if (rs.isEmpty()) {
            return null;
        }
        return new Result(rs.stream().mapToDouble(Result::rate).average().orElseThrow(),
                rs.stream().mapToDouble(Result::p50).average().orElseThrow(),
                rs.stream().mapToDouble(Result::p99).average().orElseThrow(),
                rs.stream().mapToDouble(Result::p999).average().orElseThrow(),
                rs.stream().mapToDouble(Result::cpuPerMessage).average().orElseThrow());
    }

    static Result run(String name, Channel channel, String topic, int seconds, int warmup, int inflight, long pid) throws Exception {
        MessagingServiceGrpc.MessagingServiceStub stub = MessagingServiceGrpc.newStub(channel);
        byte[] body = new byte[1024];
        Arrays.fill(body, (byte) 'x');
        ByteString payload = ByteString.copyFrom(body);
        Semaphore window = new Semaphore(inflight);
        AtomicLong errors = new AtomicLong();
        long[] latencies = new long[4_000_000];
        AtomicLong recorded = new AtomicLong();
        AtomicLong counter = new AtomicLong();
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
        long cpuStart = -1;
        long measuredStart = 0;
        long okAtStart = 0;
        AtomicLong ok = new AtomicLong();
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (cpuStart < 0 && now >= warmEnd) {
                cpuStart = pid > 0 ? cpuTicks(pid) : 0;
                measuredStart = now;
                okAtStart = ok.get();
            }
            window.acquire();
            boolean measuring = cpuStart >= 0;
            long id = counter.incrementAndGet();
            Message m = Message.newBuilder().setTopic(Resource.newBuilder().setName(topic)).setBody(payload)
                    .setSystemProperties(SystemProperties.newBuilder().setMessageId(String.format("%032X", id))
                            .setMessageType(MessageType.NORMAL).setBodyEncoding(Encoding.IDENTITY)
                            .setBornHost("127.0.0.1").setBornTimestamp(Timestamps.fromMillis(System.currentTimeMillis())))
                    .build();
            long t0 = System.nanoTime();
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).sendMessage(SendMessageRequest.newBuilder().addMessages(m).build(),
                    new StreamObserver<>() {
                        @Override
                        public void onNext(SendMessageResponse value) {
                            if (value.getStatus().getCode() == Code.OK) {
                                ok.incrementAndGet();
                                if (measuring) {
                                    long i = recorded.getAndIncrement();
                                    if (i < latencies.length) {
                                        latencies[(int) i] = System.nanoTime() - t0;
                                    }
                                }
                            } else if (errors.incrementAndGet() < 5) {
                                System.out.println("  error: " + value.getStatus());
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            if (errors.incrementAndGet() < 5) {
                                System.out.println("  error: " + t);
                            }
                            window.release();
                        }

                        @Override
                        public void onCompleted() {
                            window.release();
                        }
                    });
        }
        window.acquire(inflight);
        window.release(inflight);
        double elapsed = (System.nanoTime() - measuredStart) / 1e9;
        long sent = ok.get() - okAtStart;
        long cpu = pid > 0 ? cpuTicks(pid) - cpuStart : 0;
        int n = (int) Math.min(recorded.get(), latencies.length);
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        Result r = new Result(sent / elapsed, pct(sorted, 0.50), pct(sorted, 0.99), pct(sorted, 0.999),
                pid > 0 ? cpu * 10_000.0 / sent : 0);
        System.out.printf("%-36s %8.0f msg/s  p50 %6.2f ms  p99 %6.2f ms  p999 %6.2f ms  errors %d%s%n", name, r.rate, r.p50,
                r.p99, r.p999, errors.get(),
                pid > 0 ? String.format("  gateway CPU %.1f µs/msg (%.2f cores)", cpu * 10_000.0 / sent, cpu / 100.0 / elapsed) : "");
        return r;
    }

    static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1e6;
    }

    /** utime + stime of a process in clock ticks (100 Hz). */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static void awaitRoute(Channel ch, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                var r = MessagingServiceGrpc.newBlockingStub(ch).withDeadlineAfter(2, TimeUnit.SECONDS)
                        .queryRoute(QueryRouteRequest.newBuilder().setTopic(Resource.newBuilder().setName(topic)).build());
                if (r.getStatus().getCode() == Code.OK) {
                    return;
                }
            } catch (RuntimeException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("gateway not ready (see target/bench-gateway.log)");
            }
            Thread.sleep(200);
        }
    }

    static Channel signed(ManagedChannel channel, String ak, String sk) {
        String clientId = "bench@" + UUID.randomUUID();
        return ClientInterceptors.intercept(channel, new ClientInterceptor() {
            @Override
            public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<R> listener, Metadata headers) {
                        String date = RequestSignature.formatDateTime(Instant.now());
                        headers.put(DATE_TIME, date);
                        headers.put(AUTHORIZATION, RequestSignature.authorization(ak, sk, date));
                        headers.put(CLIENT_ID, clientId);
                        super.start(listener, headers);
                    }
                };
            }
        });
    }

    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
