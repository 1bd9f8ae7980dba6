package io.gantry.controlplane.api;

import jakarta.interceptor.InvocationContext;
import jakarta.ws.rs.PathParam;
import java.lang.annotation.Annotation;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code @PathParam} arguments of an intercepted resource method, by name, in declaration order. */
public final class PathParams {
    private PathParams() {
    }

    public static Map<String, String> of(InvocationContext ctx) {
        Map<String, String> values = new LinkedHashMap<>();
        Annotation[][] annotations = ctx.getMethod().getParameterAnnotations();
        Object[] args = ctx.getParameters();
        for (int i = 0; i < annotations.length; i++) {
            for (Annotation a : annotations[i]) {
                if (a instanceof PathParam p && args[i] instanceof String s) {
                    values.put(p.value(), s);
                }
            }
        }
        return values;
    }
}
