package io.integrationhub.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded store's write-ahead log ({@code <file>-wal}) small: ten times a second, when it has grown past
 * {@link #LIMIT}, it is checkpointed into the store's file and truncated ({@link Store#checkpoint()}). Without this,
 * steady traffic leaves SQLite few moments to start the log over and it grows with the traffic, not the data. Runs
 * on a thread of its own, so neither requests nor the store monitor wait for it. Closing it releases the store file.
 */
final class WriteAheadLogKeeper implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WriteAheadLogKeeper.class);
    static final long LIMIT = 4L * 1024 * 1024;

    private final Store store;
    private final Path log;
    private final AutoCloseable fileLock;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hub-store-checkpoint");
        t.setDaemon(true);
        return t;
    });

    WriteAheadLogKeeper(Store store, Path file, AutoCloseable fileLock) {
        this.store = store;
        this.log = file == null ? null : file.resolveSibling(file.getFileName() + "-wal");
        this.fileLock = fileLock;
        if (log != null) {
            // often: commits never checkpoint on their own (see StoreConfiguration), and a busy hub writes a few MB of
            // log per second
            thread.scheduleWithFixedDelay(this::keep, 100, 100, TimeUnit.MILLISECONDS);
        }
    }

    private void keep() {
        try {
            if (store.isAvailable() && Files.exists(log) && Files.size(log) > LIMIT) {
                store.checkpoint();
            }
        } catch (IOException | RuntimeException e) {
            // the next second tries again; a store that is away is the monitor's to report
            LOG.debug("Checkpoint of the write-ahead log not done: {}", e.getMessage());
        }
    }

    @Override
    public void close() throws Exception {
        thread.shutdownNow();
        thread.awaitTermination(5, TimeUnit.SECONDS);
        fileLock.close();
    }
}
