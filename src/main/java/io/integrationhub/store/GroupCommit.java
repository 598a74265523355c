package io.integrationhub.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: small units of work from many threads (each accepting one request) share one transaction and one
 * write. Each unit runs in a savepoint of its own, so one that fails is undone alone and fails alone; the caller is
 * answered only after the commit that holds its unit, so what a caller acknowledges is stored. A committer thread
 * takes whatever has queued while the previous transaction ran: under light load a transaction holds one unit,
 * under heavy load many. Each store has the committers {@link Store} gives it (one: the embedded store has one
 * writer, and on PostgreSQL larger transactions beat more of them); several would wait for their flushes side by side.
 */
final class GroupCommit {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
    /** Units in one transaction at most: bounds how long one transaction holds the store. */
    static final int MAX_UNITS = 64;

    private final Store store;
    private final long waitMillis;
    private final LinkedBlockingQueue<Unit<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> committers = new ArrayList<>();
    /** The embedded store's statements, kept with their connections; none on PostgreSQL. */
    private final SharedStatements.Kept kept;
    private volatile boolean closed;

    /**
     * {@code rerunnable}: the work cannot fail for another unit's sake (it writes rows of its own) and may run again:
     * it takes no savepoint, and when it fails its transaction, the other units of the batch run again without it.
     */
    private record Unit<T>(Store.Work<T> work, CompletableFuture<T> done, boolean rerunnable) {
    }

    GroupCommit(Store store, long waitMillis, int committers) {
        this.store = store;
        this.waitMillis = waitMillis;
        this.kept = store.isPostgres() ? null : new SharedStatements.Kept();
        for (int i = 0; i < committers; i++) {
            Thread committer = new Thread(this::commitWhatQueues, "store-group-commit-" + (i + 1));
            committer.setDaemon(true);
            committer.start();
            this.committers.add(committer);
        }
    }

    <T> T run(Store.Work<T> work, boolean rerunnable) {
        if (closed) {
            throw new StoreException("the store is closed");
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        queue.add(new Unit<>(work, done, rerunnable));
        try {
            // the unit waits for its turn (as for a connection), then for its transaction
            return done.get(waitMillis * 2 + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof SQLException sql) {
                throw new StoreException(sql);
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            done.cancel(false);
            throw new StoreException("the store did not commit within " + (waitMillis * 2 + 1000) + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done.cancel(false);
            throw new StoreException("interrupted while waiting for the store");
        }
    }

    private void commitWhatQueues() {
        List<Unit<?>> batch = new ArrayList<>(MAX_UNITS);
        while (!closed) {
            try {
                Unit<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, MAX_UNITS - 1);
                // a unit its caller gave up on (timed out) is not run
                batch.removeIf(unit -> unit.done().isDone());
                if (!batch.isEmpty()) {
                    commit(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException | Error unexpected) {
                LOG.error("Group commit failed", unexpected);
                for (Unit<?> unit : batch) {
                    unit.done().completeExceptionally(unexpected);
                }
            } finally {
                batch.clear();
            }
        }
        for (Unit<?> unit; (unit = queue.poll()) != null; ) {
            unit.done().completeExceptionally(new StoreException("the store is closed"));
        }
    }

    private void commit(List<Unit<?>> batch) {
        if (batch.size() == 1) {
            // alone in its transaction: no savepoint needed, the transaction's failure is the unit's
            commitAlone(batch.get(0));
            return;
        }
        Object[] results = new Object[batch.size()];
        Throwable[] failures = new Throwable[batch.size()];
        int[] failedRerunnable = {-1};
        try {
            store.inTransaction(c -> {
                // units running the same statement share it, prepared once
                try (SharedStatements shared = new SharedStatements(c, kept); Statement savepoints = c.createStatement()) {
                    Connection units = shared.connection();
                    for (int i = 0; i < batch.size(); i++) {
                        shared.deferWrites(batch.get(i).rerunnable());
                        if (batch.get(i).rerunnable()) {
                            // no savepoint (two statements fewer, two round trips on PostgreSQL): its failure undoes
                            // the transaction, and the others run again without it
                            failedRerunnable[0] = i;
                            int unit = i;
                            apply(batch.get(i), shared, result -> results[unit] = result);
                            failedRerunnable[0] = -1;
                            continue;
                        }
                        // the writes deferred so far are not the savepoint's to undo
                        shared.flush();
                        savepoints.execute("SAVEPOINT unit");
                        try {
                            results[i] = batch.get(i).work().apply(units);
                            savepoints.execute("RELEASE SAVEPOINT unit");
                        } catch (SQLException | RuntimeException e) {
                            if (SharedStatements.isDeferredWriteFailure(e)) {
                                throw e;
                            }
                            savepoints.execute("ROLLBACK TO SAVEPOINT unit");
                            savepoints.execute("RELEASE SAVEPOINT unit");
                            failures[i] = e instanceof SQLException sql ? new StoreException(sql) : e;
                        }
                    }
                    shared.flush();
                }
                return null;
            });
        } catch (RuntimeException transactionFailed) {
            if (SharedStatements.isDeferredWriteFailure(transactionFailed)) {
                // a deferred write failed, and nothing tells whose: nothing of the transaction is stored, each unit
                // runs again alone, where its failure is its own
                LOG.debug("Shared transaction of {} units rolled back ({}); each runs alone", batch.size(),
                        transactionFailed.getMessage());
                batch.forEach(this::commitAlone);
                return;
            }
            int failed = failedRerunnable[0];
            if (failed >= 0) {
                batch.get(failed).done().completeExceptionally(transactionFailed);
                List<Unit<?>> others = new ArrayList<>(batch);
                others.remove(failed);
                if (!others.isEmpty()) {
                    commit(others);
                }
                return;
            }
            if (Store.isTransactionConflict(transactionFailed)) {
                // PostgreSQL chose this transaction to break a deadlock with another one (two hubs, or two committers,
                // taking the same keys in another order): nothing of it is stored, and each unit is run again alone
                LOG.debug("Shared transaction of {} units rolled back ({}); each runs alone", batch.size(),
                        transactionFailed.getMessage());
                batch.forEach(this::commitAlone);
                return;
            }
            // nothing of this transaction is stored: every unit fails
            for (Unit<?> unit : batch) {
                unit.done().completeExceptionally(transactionFailed);
            }
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results[i], failures[i]);
        }
    }

    private <T> void commitAlone(Unit<T> unit) {
        T result;
        try {
            result = store.inTransaction(c -> {
                try (SharedStatements shared = new SharedStatements(c, kept)) {
                    shared.deferWrites(true);
                    Object[] done = new Object[1];
                    apply(unit, shared, answer -> done[0] = answer);
                    shared.flush();
                    @SuppressWarnings("unchecked")
                    T answer = (T) done[0];
                    return answer;
                }
            });
        } catch (RuntimeException failed) {
            unit.done().completeExceptionally(failed);
            return;
        }
        unit.done().complete(result);
    }

    /**
     * Runs a unit's work and hands its result to {@code result}: at once, or for a {@link Store#sharedUpdate} whose
     * write is deferred, with the flush that sends it along with the other units' writes.
     */
    private static void apply(Unit<?> unit, SharedStatements shared, java.util.function.Consumer<Object> result)
            throws SQLException {
        if (unit.work() instanceof Store.SharedUpdate update) {
            shared.write(update.sql(), update.values(), result::accept);
        } else {
            result.accept(unit.work().apply(shared.connection()));
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Unit<T> unit, Object result, Throwable failure) {
        if (failure != null) {
            unit.done().completeExceptionally(failure);
        } else {
            unit.done().complete((T) result);
        }
    }

    void close() {
        closed = true;
        committers.forEach(Thread::interrupt);
        if (kept != null) {
            kept.clear();
        }
    }
}
