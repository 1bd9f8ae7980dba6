package io.gantry.trace.query;

import java.util.Map;
import java.util.Objects;

/**
 * The S3 bucket holding archived trace segments (any S3 API: s3proxy locally, MinIO or AWS in
 * production). Both the trace service and every reader of the archive must name the same bucket.
 *
 * @param endpoint e.g. {@code http://127.0.0.1:9000}
 */
public record ArchiveLocation(String endpoint, String accessKey, String secretKey, String bucket, String region) {
    public ArchiveLocation {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(secretKey, "secretKey");
        Objects.requireNonNull(bucket, "bucket");
        region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    /**
     * From {@code GANTRY_S3_ENDPOINT}, {@code GANTRY_S3_ACCESS_KEY}, {@code GANTRY_S3_SECRET_KEY},
     * {@code GANTRY_S3_BUCKET} (default {@code gantry-trace}) and {@code GANTRY_S3_REGION}; null when
     * no endpoint is set (no archive).
     */
    public static ArchiveLocation fromEnv(Map<String, String> env) {
        String endpoint = env.get("GANTRY_S3_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            return null;
        }
        return new ArchiveLocation(endpoint,
                required(env, "GANTRY_S3_ACCESS_KEY"),
                required(env, "GANTRY_S3_SECRET_KEY"),
                env.getOrDefault("GANTRY_S3_BUCKET", "gantry-trace"),
                env.get("GANTRY_S3_REGION"));
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is required with GANTRY_S3_ENDPOINT");
        }
        return value;
    }

    @Override
    public String toString() {
        return "ArchiveLocation[" + endpoint + "/" + bucket + "]";
    }
}
