package io.integrationhub.files;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.integrationhub.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local storage provider ({@code STORAGE_PROVIDER=local}, the default): each file's bytes in a blob under the
 * files folder ({@code data/files/blobs}), its key and description in the store. An upload streams into a temporary
 * file (counting, hashing and refusing what is too large as it goes), is flushed to disk, renamed into place, and only
 * then named by its key in one transaction: a crash at any point leaves no half file under a key (a temporary file or
 * an orphan blob, removed at the next start). Signed URLs point at the hub itself ({@code /files/...}).
 */
public final class LocalFiles implements FileStorage {

    private static final Logger LOG = LoggerFactory.getLogger(LocalFiles.class);

    private final Store store;
    private final Clock clock;
    private final Path blobs;
    private final Path temporary;
    private final String publicUrl;
    private final FileSignatures signatures;

    public LocalFiles(Store store, Clock clock, Path folder, String publicUrl, FileSignatures signatures) {
        this.store = store;
        this.clock = clock;
        this.blobs = folder.resolve("blobs");
        this.temporary = folder.resolve("tmp");
        this.publicUrl = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        this.signatures = signatures;
        try {
            Files.createDirectories(blobs);
            Files.createDirectories(temporary);
        } catch (IOException e) {
            throw new IllegalStateException("the files folder " + folder.toAbsolutePath() + " cannot be created: " + e.getMessage(), e);
        }
    }

    public FileSignatures signatures() {
        return signatures;
    }

    /**
     * At start (one hub per files folder): temporary files of uploads that never finished, and blobs no key names (a
     * crash between the rename and the record), are deleted. Returns how many.
     */
    public int removeLeftovers() {
        int removed = 0;
        try (var leftovers = Files.list(temporary)) {
            for (Path file : (Iterable<Path>) leftovers::iterator) {
                Files.deleteIfExists(file);
                removed++;
            }
            java.util.Set<String> named = new java.util.HashSet<>(store.inTransaction(c -> {
                List<String> names = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("SELECT blob FROM stored_files"); ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
                return names;
            }));
            try (var all = Files.list(blobs)) {
                for (Path blob : (Iterable<Path>) all::iterator) {
                    if (!named.contains(blob.getFileName().toString())) {
                        Files.deleteIfExists(blob);
                        removed++;
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not clean the files folder: {}", e.toString());
        }
        return removed;
    }

    @Override
    public Path spoolFolder() {
        return temporary;
    }

    @Override
    public StoredFile putSpooled(String app, String key, Spool.Spooled spooled, String contentType) {
        try {
            String blob = UUID.randomUUID().toString().replace("-", "");
            Files.move(spooled.path(), blobs.resolve(blob), StandardCopyOption.ATOMIC_MOVE);
            Instant now = clock.instant();
            StoredFile stored = new StoredFile(app, key, spooled.size(), contentType, spooled.sha256(),
                    "\"" + spooled.sha256().substring(0, 32) + "\"", now);
            String replaced = store.inTransaction(c -> {
                String previous = blob(c, app, key);
                String sql = previous == null
                        ? "INSERT INTO stored_files (blob, size, content_type, sha256, etag, created_at, updated_at, app, "
                                + "file_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        : "UPDATE stored_files SET blob = ?, size = ?, content_type = ?, sha256 = ?, etag = ?, created_at = ?, "
                                + "updated_at = ? WHERE app = ? AND file_key = ?";
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, blob);
                    ps.setLong(2, stored.size());
                    ps.setString(3, contentType);
                    ps.setString(4, stored.sha256());
                    ps.setString(5, stored.etag());
                    ps.setObject(6, store.time(now));
                    ps.setObject(7, store.time(now));
                    ps.setString(8, app);
                    ps.setString(9, key);
                    ps.executeUpdate();
                }
                return previous;
            });
            if (replaced != null) {
                Files.deleteIfExists(blobs.resolve(replaced));
            }
            return stored;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            Spool.delete(spooled.path());
        }
    }

    @Override
    public Optional<StoredFile> head(String app, String key) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT app, file_key, size, content_type, sha256, etag, "
                    + "updated_at FROM stored_files WHERE app = ? AND file_key = ?")) {
                ps.setString(1, app);
                ps.setString(2, key);
                List<StoredFile> found = files(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    @Override
    public InputStream open(String app, String key, long start, long end) {
        String blob = store.inTransaction(c -> blob(c, app, key));
        if (blob == null) {
            throw FileProblem.notFound(key);
        }
        try {
            FileChannel channel = FileChannel.open(blobs.resolve(blob), StandardOpenOption.READ);
            channel.position(start);
            return new java.io.FilterInputStream(Channels.newInputStream(channel)) {
                private long left = end - start + 1;

                @Override
                public int read() throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int value = super.read();
                    if (value >= 0) {
                        left--;
                    }
                    return value;
                }

                @Override
                public int read(byte[] buffer, int offset, int length) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int read = super.read(buffer, offset, (int) Math.min(length, left));
                    if (read > 0) {
                        left -= read;
                    }
                    return read;
                }
            };
        } catch (java.nio.file.NoSuchFileException replacedMeanwhile) {
            throw FileProblem.notFound(key);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public boolean delete(String app, String key) {
        String blob = store.inTransaction(c -> {
            String found = blob(c, app, key);
            if (found != null) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM stored_files WHERE app = ? AND file_key = ?")) {
                    ps.setString(1, app);
                    ps.setString(2, key);
                    ps.executeUpdate();
                }
            }
            return found;
        });
        if (blob == null) {
            return false;
        }
        try {
            Files.deleteIfExists(blobs.resolve(blob));
        } catch (IOException e) {
            LOG.warn("A deleted file's blob stays until the next start: {}", e.toString());
        }
        return true;
    }

    @Override
    public Page list(String app, String prefix, int limit, String cursor) {
        return store.inTransaction(c -> {
            StringBuilder sql = new StringBuilder("SELECT app, file_key, size, content_type, sha256, etag, updated_at "
                    + "FROM stored_files WHERE 1 = 1");
            List<Object> values = new ArrayList<>();
            if (app != null) {
                sql.append(" AND app = ?");
                values.add(app);
            }
            if (prefix != null && !prefix.isEmpty()) {
                // compared exactly (LIKE ignores case on SQLite)
                sql.append(" AND substr(file_key, 1, ?) = ?");
                values.add(prefix.length());
                values.add(prefix);
            }
            if (cursor != null) {
                String[] position = cursor.split("\n", 2);
                sql.append(" AND (app > ? OR (app = ? AND file_key > ?))");
                values.add(position[0]);
                values.add(position[0]);
                values.add(position.length > 1 ? position[1] : "");
            }
            sql.append(" ORDER BY app, file_key LIMIT ").append(limit + 1);
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < values.size(); i++) {
                    ps.setObject(i + 1, values.get(i));
                }
                List<StoredFile> found = files(ps);
                String next = null;
                if (found.size() > limit) {
                    found = found.subList(0, limit);
                    StoredFile last = found.get(limit - 1);
                    next = last.app() + "\n" + last.key();
                }
                return new Page(List.copyOf(found), next);
            }
        });
    }

    @Override
    public String signedUrl(String app, String key, String method, Instant expiresAt) {
        long expires = expiresAt.getEpochSecond();
        return publicUrl + "/files/" + encode(app) + "/" + encodePath(key) + "?method=" + method + "&expires=" + expires
                + "&signature=" + signatures.sign(method, app, key, expires);
    }

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String encodePath(String key) {
        StringBuilder path = new StringBuilder();
        for (String segment : key.split("/", -1)) {
            path.append(path.isEmpty() ? "" : "/").append(encode(segment));
        }
        return path.toString();
    }

    private String blob(java.sql.Connection c, String app, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT blob FROM stored_files WHERE app = ? AND file_key = ?")) {
            ps.setString(1, app);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private List<StoredFile> files(PreparedStatement ps) throws SQLException {
        List<StoredFile> found = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                found.add(new StoredFile(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5),
                        rs.getString(6), store.instant(rs, 7)));
            }
        }
        return found;
    }
}
