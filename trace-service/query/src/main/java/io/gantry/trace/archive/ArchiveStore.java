package io.gantry.trace.archive;

import io.gantry.trace.query.ArchiveLocation;
import io.minio.GetObjectArgs;
import io.minio.MinioClient;
import io.minio.errors.MinioException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads trace segments from their bucket, through the MinIO client (the trace service writes them). Thread-safe. */
public final class ArchiveStore implements AutoCloseable {
    private final MinioClient client;
    private final String bucket;

    public ArchiveStore(ArchiveLocation location) {
        this.client = client(location);
        this.bucket = location.bucket();
    }

    /** A MinIO client for the location's endpoint and credentials (the trace service's uploads use one too). */
    public static MinioClient client(ArchiveLocation location) {
        return MinioClient.builder().endpoint(location.endpoint())
                .credentials(location.accessKey(), location.secretKey())
                .region(location.region()).build();
    }

    /** {@code length} bytes of an object from {@code offset} (one ranged GET). */
    public byte[] read(String key, long offset, int length) {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(bucket).object(key)
                .offset(offset).length((long) length).build())) {
            byte[] bytes = in.readAllBytes();
            if (bytes.length != length) {
                throw new IOException("short read of " + key + " at " + offset + ": " + bytes.length + " of " + length + " bytes");
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (MinioException e) {
            throw new UncheckedIOException(new IOException("could not read " + key + ": " + e, e));
        }
    }

    public String bucket() {
        return bucket;
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // only okhttp's pools: nothing to save
        }
    }
}
