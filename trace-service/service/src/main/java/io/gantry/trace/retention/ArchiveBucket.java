package io.gantry.trace.retention;

import io.gantry.trace.archive.ArchiveStore;
import io.gantry.trace.query.ArchiveLocation;
import io.minio.BucketExistsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The bucket that receives trace segments: the write side of the archive, which only the trace service
 * has ({@link ArchiveStore} reads the same objects for the queries). Thread-safe.
 */
public final class ArchiveBucket implements AutoCloseable {
    private final MinioClient client;
    private final String bucket;

    public ArchiveBucket(ArchiveLocation location) {
        this.client = ArchiveStore.client(location);
        this.bucket = location.bucket();
    }

    /** Creates the bucket unless it exists. */
    public void ensureExists() throws IOException {
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
            }
        } catch (ErrorResponseException e) {
            String code = e.errorResponse() == null ? null : e.errorResponse().code();
            if ("BucketAlreadyOwnedByYou".equals(code) || "BucketAlreadyExists".equals(code)) {
                return;
            }
            throw new IOException("could not create bucket " + bucket + ": " + e, e);
        } catch (MinioException e) {
            throw new IOException("could not create bucket " + bucket + ": " + e, e);
        }
    }

    /** Writes (or overwrites) an object from a file. */
    public void put(String key, Path file) throws IOException {
        try {
            client.uploadObject(UploadObjectArgs.builder().bucket(bucket).object(key).filename(file.toString())
                    .contentType("application/octet-stream").build());
        } catch (MinioException e) {
            throw new IOException("could not upload " + key + ": " + e, e);
        }
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
