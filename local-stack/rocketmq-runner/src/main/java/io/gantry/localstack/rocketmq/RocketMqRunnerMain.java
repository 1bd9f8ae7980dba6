package io.gantry.localstack.rocketmq;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.alibaba.fastjson2.JSON;
import com.alibaba.fastjson2.JSONObject;
import org.apache.rocketmq.common.namesrv.NamesrvConfig;
import org.apache.rocketmq.namesrv.NamesrvController;
import org.apache.rocketmq.proxy.ProxyStartup;
import org.apache.rocketmq.remoting.netty.NettyClientConfig;
import org.apache.rocketmq.remoting.netty.NettyServerConfig;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;

/**
 * Runs a RocketMQ NameServer, and a Proxy in local mode (which starts the Broker in the same JVM).
 *
 * <p>Meant to run in a child JVM started by a parent ({@code RocketMqCluster} in local-stack-components);
 * the arguments and the readiness line are described in {@link RunnerProtocol}. The parent writes the
 * broker and proxy configuration files; this class reads from them only what it needs to check
 * readiness (ports, cluster and broker names).
 *
 * <p>Exit codes: 0 on a normal stop, 2 on bad arguments, 3 when readiness was not reached in time,
 * 4 when the NameServer failed to start, 1 when the proxy failed (RocketMQ's own exit).
 */
public final class RocketMqRunnerMain {

    private static final String LOOPBACK = "127.0.0.1";

    private RocketMqRunnerMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = parse(args);
        int namesrvPort = Integer.parseInt(required(options, RunnerProtocol.ARG_NAMESRV_PORT));
        Path proxyConfig = Path.of(required(options, RunnerProtocol.ARG_PROXY_CONFIG));
        Path brokerConfig = Path.of(required(options, RunnerProtocol.ARG_BROKER_CONFIG));
        long readyTimeoutSeconds = Long.parseLong(options.getOrDefault(RunnerProtocol.ARG_READY_TIMEOUT_SECONDS, "120"));
        boolean exitOnStdinEof = Boolean.parseBoolean(options.getOrDefault(RunnerProtocol.ARG_EXIT_ON_STDIN_EOF, "true"));

        if (exitOnStdinEof) {
            watchParent();
        }

        JSONObject proxy = JSON.parseObject(Files.readString(proxyConfig, StandardCharsets.UTF_8));
        int grpcPort = proxy.getIntValue("grpcServerPort");
        Properties broker = new Properties();
        try (Reader in = Files.newBufferedReader(brokerConfig, StandardCharsets.UTF_8)) {
            broker.load(in);
        }
        String clusterName = broker.getProperty("brokerClusterName");
        String brokerName = broker.getProperty("brokerName");
        String brokerAddress = broker.getProperty("brokerIP1", LOOPBACK) + ":" + broker.getProperty("listenPort");

        NamesrvController namesrv = startNameServer(namesrvPort);
        String namesrvAddress = LOOPBACK + ":" + namesrvPort;

        // In local mode the proxy creates and starts the broker itself. On failure it calls System.exit(1).
        ProxyStartup.main(new String[] {
            "-pc", proxyConfig.toString(),
            "-bc", brokerConfig.toString(),
            "-pm", "local",
            "-n", namesrvAddress,
        });

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readyTimeoutSeconds);
        while (!(accepts(grpcPort) && registered(namesrv, clusterName, brokerName, brokerAddress))) {
            if (System.nanoTime() > deadline) {
                System.out.println(RunnerProtocol.FAILED_LINE + " not ready after " + readyTimeoutSeconds + " s:"
                    + " proxy gRPC port " + grpcPort + " accepting=" + accepts(grpcPort)
                    + ", broker " + brokerName + "@" + brokerAddress + " registered="
                    + registered(namesrv, clusterName, brokerName, brokerAddress));
                System.out.flush();
                System.exit(3);
            }
            Thread.sleep(100);
        }
        System.out.println(RunnerProtocol.READY_LINE
            + " namesrv=" + namesrvAddress
            + " broker=" + brokerAddress
            + " proxyGrpc=" + LOOPBACK + ":" + grpcPort
            + " cluster=" + clusterName
            + " brokerName=" + brokerName
            + " pid=" + ProcessHandle.current().pid());
        System.out.flush();
    }

    private static NamesrvController startNameServer(int port) {
        NamesrvConfig namesrvConfig = new NamesrvConfig();
        NettyServerConfig serverConfig = new NettyServerConfig();
        serverConfig.setBindAddress(LOOPBACK);
        serverConfig.setListenPort(port);
        NamesrvController controller = new NamesrvController(namesrvConfig, serverConfig, new NettyClientConfig());
        try {
            if (!controller.initialize()) {
                throw new IllegalStateException("NamesrvController.initialize() returned false");
            }
            controller.start();
        } catch (Exception e) {
            System.out.println(RunnerProtocol.FAILED_LINE + " NameServer on port " + port + ": " + e);
            e.printStackTrace(System.out);
            System.out.flush();
            controller.shutdown();
            System.exit(4);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(controller::shutdown, "gantry-namesrv-shutdown"));
        return controller;
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean registered(NamesrvController namesrv, String clusterName, String brokerName, String brokerAddress) {
        ClusterInfo info = namesrv.getRouteInfoManager().getAllClusterInfo();
        if (info == null || info.getBrokerAddrTable() == null || info.getClusterAddrTable() == null) {
            return false;
        }
        BrokerData data = info.getBrokerAddrTable().get(brokerName);
        return data != null
            && data.getBrokerAddrs() != null
            && brokerAddress.equals(data.getBrokerAddrs().get(0L))
            && info.getClusterAddrTable().getOrDefault(clusterName, java.util.Set.of()).contains(brokerName);
    }

    /**
     * Exits when standard input reaches end of file: the parent keeps the pipe open while it lives, so
     * the child does not outlive it. If the shutdown hooks hang, the JVM is halted.
     */
    private static void watchParent() {
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] buffer = new byte[256];
            try {
                while (in.read(buffer) >= 0) {
                    // ignore anything the parent writes
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end of file
            }
            System.out.println("stdin closed: the parent is gone, stopping");
            System.out.flush();
            Thread halter = new Thread(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(30));
                } catch (InterruptedException ignored) {
                    // halt anyway
                }
                Runtime.getRuntime().halt(0);
            }, "gantry-halt-watchdog");
            halter.setDaemon(true);
            halter.start();
            System.exit(0);
        }, "gantry-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                usage("unexpected argument: " + name);
            }
            options.put(name, args[++i]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            usage("missing " + name);
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: " + RunnerProtocol.MAIN_CLASS + " "
            + RunnerProtocol.ARG_NAMESRV_PORT + " PORT "
            + RunnerProtocol.ARG_PROXY_CONFIG + " proxy.json "
            + RunnerProtocol.ARG_BROKER_CONFIG + " broker.conf "
            + "[" + RunnerProtocol.ARG_READY_TIMEOUT_SECONDS + " SECONDS] "
            + "[" + RunnerProtocol.ARG_EXIT_ON_STDIN_EOF + " true|false]");
        System.exit(2);
    }
}
