package io.gantry.localstack;

import java.nio.file.Path;

/**
 * Main class of a throwaway parent JVM for the orphan tests: starts a component, prints what identifies
 * it, then waits to be killed.
 *
 * <p>{@code rocketmq WORKDIR} prints {@code CHILD-PID <pid>}; {@code postgres} prints {@code DATA-DIR <path>}.
 */
public final class OrphaningParent {

    static final String CHILD_PID = "CHILD-PID ";
    static final String DATA_DIR = "DATA-DIR ";

    private OrphaningParent() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "rocketmq" -> {
                RocketMqCluster cluster = RocketMqCluster.start(RocketMqCluster.Options.defaults().workDir(Path.of(args[1])));
                System.out.println(CHILD_PID + cluster.pid());
            }
            case "postgres" -> {
                PostgresServer postgres = PostgresServer.startTemporary();
                System.out.println(DATA_DIR + postgres.dataDirectory());
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
