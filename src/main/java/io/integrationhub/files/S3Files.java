package io.integrationhub.files;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.integrationhub.delivery.DeliveryException;
import io.integrationhub.delivery.PermanentDeliveryException;
import io.integrationhub.delivery.ProviderGuard;
import io.integrationhub.delivery.TransientDeliveryException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.util.ObjectHelper;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The S3 storage provider ({@code STORAGE_PROVIDER=s3}): S3 or any S3-compatible store (R2, MinIO; path-style when
 * {@code S3_ENDPOINT} is set). An app's file {@code k} is the object {@code <app>/k}. Uploads are spooled (counted,
 * hashed, checked) and then sent with camel-aws2-s3, in parts when larger than {@code S3_PART_SIZE}; the object
 * carries the SHA-256 as metadata. Every call goes through the provider's guard ({@code files-s3}: throttle and
 * breaker); S3's transient errors are retried with backoff. Signed URLs come from the SDK's presigner.
 */
public final class S3Files implements FileStorage {

    public static final String PROVIDER = "files-s3";
    static final String CALL = "hubFilesCall";
    private static final String SHA256 = "sha256";

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final ProducerTemplate producer;
    private final String uploadUri;
    private final Path temporary;

    public S3Files(S3Client s3, S3Presigner presigner, String bucket, ProducerTemplate producer, long partSize, Path temporary) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = bucket;
        this.producer = producer;
        this.uploadUri = "aws2-s3://" + bucket + "?amazonS3Client=#hubS3Client&multiPartUpload=true&partSize=" + partSize
                + "&autoCreateBucket=false";
        this.temporary = temporary;
        try {
            Files.createDirectories(temporary);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the spool folder " + temporary + " cannot be created: " + e.getMessage(), e);
        }
    }

    /** What a call returned, carried out of the guard's route unread (a stream would be cached and cut off there). */
    record Result(Object value) {
    }

    static String objectKey(String app, String key) {
        return app + "/" + key;
    }

    @Override
    public StoredFile put(String app, String key, InputStream body, String contentType, Expected expected) {
        checkLength(app, key);
        return FileStorage.super.put(app, key, body, contentType, expected);
    }

    private static void checkLength(String app, String key) {
        if (objectKey(app, key).getBytes(java.nio.charset.StandardCharsets.UTF_8).length > FileKeys.MAX_BYTES) {
            throw new io.integrationhub.delivery.InvalidMessageException("key", "is too long for S3: with the app's "
                    + "name and a slash before it, an object key has at most " + FileKeys.MAX_BYTES + " bytes");
        }
    }

    @Override
    public Path spoolFolder() {
        return temporary;
    }

    @Override
    public StoredFile putSpooled(String app, String key, Spool.Spooled spooled, String contentType) {
        try {
            checkLength(app, key);
            guarded(() -> {
                Exchange sent = producer.send(uploadUri, e -> {
                    e.getMessage().setBody(spooled.path().toFile());
                    e.getMessage().setHeader(AWS2S3Constants.KEY, objectKey(app, key));
                    e.getMessage().setHeader(AWS2S3Constants.CONTENT_TYPE, contentType);
                    e.getMessage().setHeader(AWS2S3Constants.CONTENT_LENGTH, spooled.size());
                    e.getMessage().setHeader(AWS2S3Constants.METADATA, Map.of(SHA256, spooled.sha256()));
                });
                if (sent.getException() != null) {
                    throw sent.getException();
                }
                return null;
            });
            return head(app, key).orElseThrow(() -> new TransientDeliveryException(PROVIDER,
                    "the object is not there after its upload", null, null));
        } finally {
            Spool.delete(spooled.path());
        }
    }

    @Override
    public Optional<StoredFile> head(String app, String key) {
        return guarded(() -> {
            try {
                HeadObjectResponse head = s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(objectKey(app, key)).build());
                return Optional.of(new StoredFile(app, key, head.contentLength(),
                        head.contentType() == null ? "application/octet-stream" : head.contentType(),
                        head.metadata().getOrDefault(SHA256, ""), head.eTag(), head.lastModified()));
            } catch (NoSuchKeyException missing) {
                return Optional.<StoredFile>empty();
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    return Optional.<StoredFile>empty();
                }
                throw e;
            }
        });
    }

    @Override
    public InputStream open(String app, String key, long start, long end) {
        return guarded(() -> {
            try {
                return s3.getObject(GetObjectRequest.builder().bucket(bucket).key(objectKey(app, key))
                        .range("bytes=" + start + "-" + end).build());
            } catch (NoSuchKeyException missing) {
                throw FileProblem.notFound(key);
            }
        });
    }

    @Override
    public boolean delete(String app, String key) {
        boolean existed = head(app, key).isPresent();
        guarded(() -> s3.deleteObject(b -> b.bucket(bucket).key(objectKey(app, key))));
        return existed;
    }

    @Override
    public Page list(String app, String prefix, int limit, String cursor) {
        String objectPrefix = app == null ? "" : app + "/" + (prefix == null ? "" : prefix);
        ListObjectsV2Response page = guarded(() -> s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket)
                .prefix(objectPrefix).maxKeys(limit).continuationToken(cursor).build()));
        List<StoredFile> items = new ArrayList<>();
        for (S3Object object : page.contents()) {
            int slash = object.key().indexOf('/');
            if (slash <= 0) {
                continue;
            }
            String owner = object.key().substring(0, slash);
            String key = object.key().substring(slash + 1);
            if (app == null && prefix != null && !key.startsWith(prefix)) {
                continue;
            }
            items.add(new StoredFile(owner, key, object.size(), "application/octet-stream", "", object.eTag(),
                    object.lastModified()));
        }
        return new Page(items, Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null);
    }

    @Override
    public String signedUrl(String app, String key, String method, Instant expiresAt) {
        Duration valid = Duration.ofSeconds(Math.max(1, expiresAt.getEpochSecond() - Instant.now().getEpochSecond()));
        if (method.equals("PUT")) {
            return presigner.presignPutObject(p -> p.signatureDuration(valid)
                    .putObjectRequest(r -> r.bucket(bucket).key(objectKey(app, key)))).url().toString();
        }
        return presigner.presignGetObject(p -> p.signatureDuration(valid)
                .getObjectRequest(r -> r.bucket(bucket).key(objectKey(app, key)))).url().toString();
    }

    /** A call through the provider's guard (throttle, breaker), retried on S3's transient errors. */
    @SuppressWarnings("unchecked")
    private <T> T guarded(Callable<T> call) {
        for (int attempt = 0; ; attempt++) {
            Exchange answer = producer.send(ProviderGuard.guarded(PROVIDER), e -> e.setProperty(CALL, call));
            Exception failure = answer.getException();
            if (failure == null) {
                return (T) answer.getMessage().getBody(Result.class).value();
            }
            DeliveryException classified = ObjectHelper.getException(DeliveryException.class, failure);
            if (classified instanceof TransientDeliveryException && attempt < 3) {
                sleep(200L << attempt);
                continue;
            }
            if (classified != null) {
                throw classified;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(failure);
        }
    }

    /** The provider route's work: the call, S3's failures as the hub's (transient, refused), never the credentials. */
    static Object call(Callable<?> call) throws Exception {
        try {
            return call.call();
        } catch (S3Exception e) {
            int status = e.statusCode();
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            if (status >= 500 || status == 429 || "SlowDown".equals(code) || "RequestTimeout".equals(code)) {
                throw new TransientDeliveryException(PROVIDER, "S3 failed (HTTP " + status + (code == null ? "" : ", " + code) + ")",
                        null, code, null);
            }
            if (status == 403 || status == 401) {
                throw new PermanentDeliveryException(PROVIDER, "the storage provider refused the hub's credentials", code);
            }
            throw new PermanentDeliveryException(PROVIDER, "S3 refused the request (HTTP " + status
                    + (code == null ? "" : ", " + code) + ")", code);
        } catch (SdkClientException e) {
            throw new TransientDeliveryException(PROVIDER, "no answer from the storage provider", null, "connection", null);
        } catch (SdkException e) {
            throw new TransientDeliveryException(PROVIDER, "the storage provider failed", null, null, null);
        } catch (org.apache.camel.CamelExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                return call(() -> {
                    throw cause;
                });
            }
            throw e;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
