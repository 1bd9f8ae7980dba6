package io.gantry.localstack;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the JVM-wide {@link SharedComponents} into test constructors, lifecycle methods and test
 * methods: parameters of type {@link RocketMqCluster}, {@link PostgresServer} and {@link OidcTestServer}.
 * A component starts on the first injection of its type and stays up until the JVM exits.
 *
 * <pre>{@code
 * @ExtendWith(RealComponentsExtension.class)
 * class TopicProvisioningIT {
 *     @Test
 *     void createsTopic(RocketMqCluster rocketMq, PostgresServer postgres) { ... }
 * }
 * }</pre>
 */
public final class RealComponentsExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == RocketMqCluster.class || type == PostgresServer.class || type == OidcTestServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        try {
            if (type == RocketMqCluster.class) {
                return SharedComponents.rocketMq();
            }
            if (type == PostgresServer.class) {
                return SharedComponents.postgres();
            }
            if (type == OidcTestServer.class) {
                return SharedComponents.oidc();
            }
        } catch (RuntimeException e) {
            throw new ParameterResolutionException("cannot start " + type.getSimpleName(), e);
        }
        throw new ParameterResolutionException("unsupported parameter type " + type.getName());
    }
}
