package io.integrationhub.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One hub per embedded store file. SQLite would let a second process open the same file, and a hub that starts
 * takes back every lease it finds (the embedded store has no other hub to share work with): a second hub on the
 * file would send again what the first is sending. The lock ({@code <file>.lock}, held by the operating system for
 * as long as the hub runs, so a killed hub holds it no more) refuses the second hub's start instead. Also creates
 * the store's folder.
 */
final class EmbeddedFileLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private EmbeddedFileLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static EmbeddedFileLock take(String url) {
        Path file = file(url);
        if (file == null) {
            return null;
        }
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("The embedded store " + file + " is in use by another hub: one hub per "
                        + "store file (several hubs share a PostgreSQL database: DB_URL=jdbc:postgresql://...)");
            }
            return new EmbeddedFileLock(channel, lock);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            throw new IllegalStateException("The embedded store " + file + " is already open in this process", e);
        } catch (IOException e) {
            throw new IllegalStateException("The embedded store " + file + " cannot be opened: " + e.getMessage(), e);
        }
    }

    /** The file behind {@code jdbc:sqlite:<file>[?params]}; null for an in-memory database. */
    static Path file(String url) {
        String rest = url.substring("jdbc:sqlite:".length()).split("\\?", 2)[0];
        if (rest.isEmpty() || rest.startsWith(":memory:") || rest.contains("mode=memory")) {
            return null;
        }
        if (rest.startsWith("file:")) {
            rest = rest.substring("file:".length());
        }
        return Path.of(rest);
    }

    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
