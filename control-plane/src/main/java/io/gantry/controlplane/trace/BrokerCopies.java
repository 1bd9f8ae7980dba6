package io.gantry.controlplane.trace;

import io.gantry.controlplane.model.ClusterEntity;
import io.gantry.controlplane.model.NamespaceEntity;
import io.gantry.controlplane.provisioning.BrokerMessage;
import io.gantry.controlplane.provisioning.ClusterTarget;
import io.gantry.controlplane.provisioning.ClusterUnavailableException;
import io.gantry.controlplane.provisioning.RocketMqAdmin;
import io.gantry.controlplane.secrets.SecretCipher;
import io.gantry.isolation.naming.Namespaces;
import io.gantry.trace.query.MessageRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Reads a traced message's stored copy from the broker of the instance's cluster, under the
 * instance's own namespace only: the topic is the one the trace recorded for this instance, wrapped
 * in the namespace the control plane placed the instance in, so no other namespace can be reached.
 */
@ApplicationScoped
public class BrokerCopies {
    private static final Logger LOG = Logger.getLogger(BrokerCopies.class);
    /** Clocks of gateway and broker differ a little; the index lookup starts this much earlier. */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(5);

    /** What the broker gave for one message. */
    public sealed interface Outcome {
    }

    public record Found(BrokerMessage message) implements Outcome {
    }

    /** Not shown: the body is larger than the API shows. */
    public record TooLarge(int size) implements Outcome {
    }

    /** No broker holds it: past the topic's retention, never stored, or not visible yet (delay). */
    public record NotOnBroker() implements Outcome {
    }

    public record Unavailable() implements Outcome {
    }

    @Inject
    RocketMqAdmin admin;
    @Inject
    SecretCipher cipher;
    @ConfigProperty(name = "gantry.messages.max-body-bytes", defaultValue = "65536")
    int maxBodyBytes;

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public Outcome read(String instanceId, MessageRecord m) {
        if (m.bodySize() != null && m.bodySize() > maxBodyBytes) {
            return new TooLarge(m.bodySize());
        }
        if (m.storeStatus() != null && !"OK".equalsIgnoreCase(m.storeStatus())) {
            return new NotOnBroker();
        }
        if (m.topic() == null || m.topic().indexOf(Namespaces.SEPARATOR) >= 0) {
            return new NotOnBroker();
        }
        Optional<NamespaceEntity> ns = NamespaceEntity.ofInstance(instanceId);
        if (ns.isEmpty()) {
            return new NotOnBroker();
        }
        ClusterEntity c = ClusterEntity.findById(ns.get().clusterId);
        if (c == null) {
            return new NotOnBroker();
        }
        ClusterTarget target = new ClusterTarget(c.clusterId, c.nameServerAddress, c.adminAccessKey,
                cipher.decrypt(c.adminSecretEnc));
        Instant since = m.sentAt() != null ? m.sentAt() : m.storedAt() != null ? m.storedAt() : m.bornAt();
        long notBefore = since == null ? 0 : since.minus(CLOCK_SLACK).toEpochMilli();
        try {
            Optional<BrokerMessage> found = admin.findMessage(target,
                    Namespaces.wrap(ns.get().namespace, m.topic()), m.messageId(), notBefore);
            if (found.isEmpty()) {
                return new NotOnBroker();
            }
            if (found.get().body() != null && found.get().body().length > maxBodyBytes) {
                return new TooLarge(found.get().body().length);
            }
            return new Found(found.get());
        } catch (ClusterUnavailableException e) {
            LOG.debugf(e, "reading message %s of %s from the broker failed", m.messageId(), instanceId);
            return new Unavailable();
        }
    }
}
