package io.integrationhub.files;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where files are kept ({@code STORAGE_PROVIDER}): the local folder or an S3 bucket. Keys are scoped to an app (the
 * API key's name); every operation names both. Bodies stream: nothing holds a whole file in memory.
 */
public interface FileStorage {

    /** What an upload must match: at most {@code maxBytes}, and the checksums given (hex; null when not given). */
    record Expected(long maxBytes, String md5Hex, String sha256Hex) {
    }

    /** Streams {@code body} to the key; nothing is under the key unless all of it arrived and matched. */
    default StoredFile put(String app, String key, InputStream body, String contentType, Expected expected) {
        return putSpooled(app, key, Spool.spool(body, spoolFolder(), expected), contentType);
    }

    /** Where uploads are spooled (counted, hashed, checked) before they go to the provider. */
    java.nio.file.Path spoolFolder();

    /** Stores an upload already spooled and checked; the spooled file is this call's to remove. */
    StoredFile putSpooled(String app, String key, Spool.Spooled spooled, String contentType);

    Optional<StoredFile> head(String app, String key);

    /** The file's bytes from {@code start} (inclusive) to {@code end} (inclusive); the caller closes the stream. */
    InputStream open(String app, String key, long start, long end);

    /** Whether a file was there. */
    boolean delete(String app, String key);

    /** A page of an app's files (every app's for {@code app == null}), by key, after {@code cursor}. */
    Page list(String app, String prefix, int limit, String cursor);

    record Page(List<StoredFile> items, String nextCursor) {
    }

    /** A URL that lets anyone holding it GET or PUT this key until {@code expiresAt}, without an API key. */
    String signedUrl(String app, String key, String method, Instant expiresAt);
}
