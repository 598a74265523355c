package io.integrationhub.files;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** A stored file's description: {@code key} within its app, {@code sha256} of its bytes, {@code etag} as HTTP gives it. */
public record StoredFile(@JsonIgnore String app, String key, long size, String contentType, String sha256, String etag,
                         Instant lastModified) {
}
