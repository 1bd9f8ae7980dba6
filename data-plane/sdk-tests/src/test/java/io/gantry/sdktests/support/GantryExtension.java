package io.gantry.sdktests.support;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects the test run's {@link GantryStack} (parameters of that type, in constructors, lifecycle and
 * test methods). The stack starts on first use, once per test JVM, and is closed when the whole test
 * plan is done (JUnit's root store), or by a shutdown hook if the JVM is stopped first. When it fails
 * to start, every later test fails at once with the same cause instead of starting it again.
 */
public final class GantryExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(GantryExtension.class);
    private static RuntimeException startFailure;

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == GantryStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return stack(context);
    }

    /** The run's stack, started on first call. */
    public static GantryStack stack(ExtensionContext context) {
        synchronized (GantryExtension.class) {
            if (startFailure != null) {
                throw new ParameterResolutionException("the Gantry stack failed to start earlier in this run", startFailure);
            }
            try {
                return context.getRoot().getStore(NAMESPACE)
                        .getOrComputeIfAbsent(GantryStack.class, key -> GantryStack.start(), GantryStack.class);
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
    }
}
