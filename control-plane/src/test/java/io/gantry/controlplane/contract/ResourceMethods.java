package io.gantry.controlplane.contract;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.File;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URL;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The JAX-RS resource methods of the control plane's API package, keyed like the spec: {@code "GET /api/v1/…"}. */
public final class ResourceMethods {
    public static final Map<Class<? extends Annotation>, String> VERBS = Map.of(GET.class, "get", POST.class, "post",
            PATCH.class, "patch", DELETE.class, "delete", PUT.class, "put");
    private static final String PACKAGE = "io.gantry.controlplane.api";

    private ResourceMethods() {
    }

    public static Map<String, Method> all() throws Exception {
        Map<String, Method> found = new TreeMap<>();
        URL dir = ResourceMethods.class.getClassLoader().getResource(PACKAGE.replace('.', '/'));
        try (var files = Files.list(new File(dir.toURI()).toPath())) {
            for (var file : files.toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".class") || name.contains("$")) {
                    continue;
                }
                Class<?> type = Class.forName(PACKAGE + "." + name.replace(".class", ""));
                Path classPath = type.getAnnotation(Path.class);
                if (classPath == null) {
                    continue;
                }
                for (Method m : type.getDeclaredMethods()) {
                    for (var verb : VERBS.entrySet()) {
                        if (m.isAnnotationPresent(verb.getKey())) {
                            Path sub = m.getAnnotation(Path.class);
                            String full = (classPath.value() + (sub == null ? "" : "/" + sub.value()))
                                    .replaceAll("/+", "/").replaceAll("/$", "");
                            found.put(verb.getValue().toUpperCase(Locale.ROOT) + " " + full, m);
                        }
                    }
                }
            }
        }
        return found;
    }
}
