package io.gantry.dataplane.trace;

import io.gantry.dataplane.config.ConfigView;
import io.gantry.dataplane.pipeline.CallContext;
import io.gantry.dataplane.support.Snapshots;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;

/** Call contexts as the pipeline makes them, for the parts of one that the recorder reads. */
final class TraceFixtures {
    static final String INSTANCE = "rmq-trace0001";
    static final String CLUSTER = "c1";
    static final String USERNAME = "app";
    static final String ACCESS_KEY = "ak-trace";

    private TraceFixtures() {
    }

    static ConfigView view() {
        return ConfigView.of(Snapshots.snapshot(1, Snapshots.cluster(CLUSTER, "127.0.0.1:1", "cak", "csk"),
                Snapshots.instance(INSTANCE, CLUSTER).addTopics(Snapshots.topic("orders"))
                        .addConsumerGroups(Snapshots.group("workers"))
                        .addAccounts(Snapshots.account(USERNAME, ACCESS_KEY, "sk", true)).build()));
    }

    /**
     * A context for a call by {@code clientId} (null: a call without client id). Built through the record's
     * canonical constructor by component name, so that components the recorder does not read stay null.
     */
    static CallContext context(String clientId) {
        ConfigView.AccountEntry account = view().account(ACCESS_KEY);
        String upstreamClientId = clientId == null ? null : account.instance().clientIdPrefix() + clientId;
        RecordComponent[] components = CallContext.class.getRecordComponents();
        Class<?>[] types = new Class<?>[components.length];
        Object[] args = new Object[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            args[i] = switch (components[i].getName()) {
                case "account" -> account;
                case "instance" -> account.instance();
                case "upstreamClientId" -> upstreamClientId;
                default -> null;
            };
        }
        try {
            Constructor<CallContext> canonical = CallContext.class.getDeclaredConstructor(types);
            return canonical.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
