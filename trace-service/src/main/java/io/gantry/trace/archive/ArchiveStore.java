package io.gantry.trace.archive;

import io.gantry.trace.query.ArchiveLocation;
import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.UploadObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The bucket that holds trace segments, through the MinIO client. Thread-safe. */
public final class ArchiveStore implements AutoCloseable {
    private final MinioClient client;
    private final String bucket;

    public ArchiveStore(ArchiveLocation location) {
        this.client = MinioClient.builder().endpoint(location.endpoint())
                .credentials(location.accessKey(), location.secretKey())
                .region(location.region()).build();
        this.bucket = location.bucket();
    }

    /** Creates the bucket unless it exists. */
    public void ensureBucket() throws IOException {
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
