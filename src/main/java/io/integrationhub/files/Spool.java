package io.integrationhub.files;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.UUID;

/**
 * An upload's bytes in a temporary file of their own, counted and hashed as they arrive: refused as soon as they pass
 * the limit, and when the checksums given do not match. Only a spooled file that passed goes to a provider.
 */
public final class Spool {

    private static final int BUFFER = 256 * 1024;

    /** A spooled upload: delete {@code path} once it was moved or sent. {@code md5} only when one was checked. */
    public record Spooled(Path path, long size, String sha256, String md5) {
    }

    private Spool() {
    }

    static Spooled spool(InputStream body, Path temporary, FileStorage.Expected expected) {
        Path upload = temporary.resolve(UUID.randomUUID() + ".upload");
        boolean kept = false;
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // MD5 only to check a Content-MD5 the client sent (the ETag is the SHA-256's)
            MessageDigest md5 = expected.md5Hex() == null ? null : MessageDigest.getInstance("MD5");
            long size = 0;
            try (FileChannel channel = FileChannel.open(upload, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                byte[] buffer = new byte[BUFFER];
                for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
                    size += read;
                    if (size > expected.maxBytes()) {
                        throw FileProblem.tooLarge(expected.maxBytes());
                    }
                    sha256.update(buffer, 0, read);
                    if (md5 != null) {
                        md5.update(buffer, 0, read);
                    }
                    out.write(buffer, 0, read);
                }
                out.flush();
                channel.force(true);
            }
            String sha = HexFormat.of().formatHex(sha256.digest());
            String md5Hex = md5 == null ? null : HexFormat.of().formatHex(md5.digest());
            if (expected.md5Hex() != null && !expected.md5Hex().equalsIgnoreCase(md5Hex)) {
                throw new FileProblem(400, "Checksum mismatch", "Content-MD5 does not match the body; nothing was stored");
            }
            if (expected.sha256Hex() != null && !expected.sha256Hex().equalsIgnoreCase(sha)) {
                throw new FileProblem(400, "Checksum mismatch", "X-Checksum-SHA256 does not match the body; nothing was stored");
            }
            kept = true;
            return new Spooled(upload, size, sha, md5Hex);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            if (!kept) {
                delete(upload);
            }
        }
    }

    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // removed at the next start
        }
    }
}
