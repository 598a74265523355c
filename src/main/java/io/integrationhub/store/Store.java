package io.integrationhub.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import javax.sql.DataSource;

/**
 * The hub's one relational store: transactions over a pooled {@link DataSource}, either the embedded SQLite
 * file (WAL journal) or PostgreSQL. Every capability keeps its rows here so that an acknowledged request survives a crash.
 */
public final class Store {

    /** SQL state of a unique or primary key violation, on PostgreSQL (SQLite reports its own result codes). */
    public static final String UNIQUE_VIOLATION = "23505";

    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final boolean postgres;

    /**
     * A store on {@code dataSource}: PostgreSQL when {@code postgres}, else the embedded SQLite file (one writer at a
     * time: each transaction takes the write lock when it begins, so two never deadlock upgrading a read).
     */
    public Store(DataSource dataSource, boolean postgres) {
        this(dataSource, postgres, 2000);
    }

    /** {@code lockTimeoutMillis}: how long an embedded transaction waits for the one writer's turn. */
    public Store(DataSource dataSource, boolean postgres, long lockTimeoutMillis) {
        this.dataSource = dataSource;
        this.postgres = postgres;
        this.lockTimeoutMillis = lockTimeoutMillis;
    }

    /**
     * The embedded store's one writer at a time, taken in the hub before SQLite's own lock: the transactions waiting
     * for it are woken in turn the moment the writer commits. Left to SQLite alone, they would poll for its lock
     * with sleeps of up to 100 ms, and under load most of the time would go to those sleeps.
     */
    private final java.util.concurrent.locks.ReentrantLock writer = new java.util.concurrent.locks.ReentrantLock(true);
    private final long lockTimeoutMillis;
    private volatile GroupCommit groupCommit;
    /**
     * Shared transactions PostgreSQL runs at once (each on a connection of the pool, waiting for its flush). One: what
     * queues while a transaction waits for its round trips and flush joins the next, so a slower database makes
     * larger transactions rather than more of them. On the reference machine (2 cores, the database beside the hub)
     * one committer accepted 3,700 to 4,400 emails/s against 2,700 to 2,900 with three and 1,800 with ten: each
     * more transaction costs the database a commit and the hub a round trip.
     */
    static final int POSTGRES_COMMITTERS = 1;

    /**
     * Runs the work in a transaction it shares with the work other threads hand in at the same time (group commit):
     * committed before this returns, undone alone when it throws. For short units of writes that many requests do at
     * once (accepting an event); the work must not wait for anything but the store.
     */
    public <T> T inSharedTransaction(Work<T> work) {
        GroupCommit group = sharedTransactions();
        return group.run(work, false);
    }

    private GroupCommit sharedTransactions() {
        GroupCommit group = groupCommit;
        if (group == null) {
            synchronized (this) {
                if (groupCommit == null) {
                    groupCommit = new GroupCommit(this, lockTimeoutMillis, postgres ? POSTGRES_COMMITTERS : 1);
                }
                group = groupCommit;
            }
        }
        return group;
    }

    /**
     * As {@link #inSharedTransaction}, for work that only writes rows of its own (a new message, a claimed message's
     * outcome), which no other unit can make fail: it runs without a savepoint of its own. Should it fail all the
     * same, the transaction is undone and the other units run again without it, so the work must not do anything
     * but its statements (it may run twice, only one run committed).
     */
    public <T> T inSharedTransactionRerunnable(Work<T> work) {
        return sharedTransactions().run(work, true);
    }

    /**
     * One UPDATE (or DELETE) of rows of the caller's own, run as {@link #inSharedTransactionRerunnable} work: returns
     * how many rows it changed, once committed. On PostgreSQL the updates of the same text in one shared transaction
     * go to the server in one round trip (a batch), each still told its own count: a worker recording its message's
     * outcome does not make the transaction wait one round trip per message.
     */
    public int sharedUpdate(String sql, Object... values) {
        return sharedTransactions().run(new SharedUpdate(sql, values), true);
    }

    /** {@link #sharedUpdate}'s unit: {@link GroupCommit} batches it with the others of its text where it can. */
    record SharedUpdate(String sql, Object[] values) implements Work<Integer> {
        @Override
        public Integer apply(Connection connection) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(sql)) {
                setParameters(ps, values);
                return ps.executeUpdate();
            }
        }
    }

    /** Sets the statement's parameters in order; a null is a SQL NULL of a text column. */
    static void setParameters(PreparedStatement statement, Object[] values) throws SQLException {
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                statement.setNull(i + 1, java.sql.Types.VARCHAR);
            } else {
                statement.setObject(i + 1, values[i]);
            }
        }
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean isPostgres() {
        return postgres;
    }

    private volatile AutoCloseable onClose;

    void onClose(AutoCloseable resource) {
        this.onClose = resource;
    }

    /** Closes the pool (and releases the embedded file for another hub). */
    public void close() {
        GroupCommit group = groupCommit;
        if (group != null) {
            group.close();
        }
        if (dataSource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        AutoCloseable resource = onClose;
        if (resource != null) {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Why the store is known to be away (set by {@link StoreMonitor}); null while it answers. */
    private volatile String unavailable;

    /**
     * Runs the work in one transaction: committed when it returns, rolled back when it throws. While the store is
     * known to be away, fails at once instead of waiting for the pool's connection timeout.
     */
    public <T> T inTransaction(Work<T> work) {
        String away = unavailable;
        if (away != null) {
            throw new StoreException(away);
        }
        if (!postgres) {
            try {
                if (!writer.tryLock(lockTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    throw new StoreException(new org.sqlite.SQLiteException("waited " + lockTimeoutMillis
                            + " ms for the embedded store's writer", org.sqlite.SQLiteErrorCode.SQLITE_BUSY));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StoreException("interrupted while waiting for the embedded store's writer");
            }
            try {
                return transaction(work);
            } finally {
                writer.unlock();
            }
        }
        return transaction(work);
    }

    /**
     * Runs work that only reads in one transaction. On the embedded store it does not take the writer's turn: it
     * reads the last committed state beside the writer (WAL), so a long count never holds up accepts. On PostgreSQL
     * it is {@link #inTransaction}. The work must not write.
     */
    public <T> T read(Work<T> work) {
        String away = unavailable;
        if (away != null) {
            throw new StoreException(away);
        }
        return transaction(work, !postgres);
    }

    private <T> T transaction(Work<T> work) {
        return transaction(work, false);
    }

    private <T> T transaction(Work<T> work, boolean embeddedRead) {
        try (Connection connection = dataSource.getConnection()) {
            if (embeddedRead) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("BEGIN DEFERRED");
                }
            } else {
                begin(connection);
            }
            try {
                try {
                    T result = work.apply(connection);
                    commit(connection);
                    return result;
                } catch (AssertionError driver) {
                    // the PostgreSQL driver asserts that a connection it finds closed mid-batch does not throw: with
                    // assertions on (-ea) the lost connection surfaces as an Error, which would end the thread that
                    // called (a dispatcher's claimer) for good. It is the database going away, and reported as such.
                    throw new SQLException("the connection was lost: " + driver.getMessage(), "08003", driver);
                }
            } catch (SQLException | RuntimeException e) {
                // the first failure is the cause (08006 when the database went away); the rollback's own failure,
                // which usually follows, is kept beside it
                try {
                    rollback(connection);
                } catch (SQLException | RuntimeException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        } catch (SQLException e) {
            if (failedForGood(e)) {
                java.util.function.Consumer<SQLException> listener = brokenListener;
                if (listener != null) {
                    listener.accept(e);
                }
            }
            throw new StoreException(e);
        }
    }

    private void begin(Connection connection) throws SQLException {
        if (postgres) {
            connection.setAutoCommit(false);
            return;
        }
        // SQLite: the write lock from the start (waiting up to the busy timeout for it), so a transaction that reads
        // and then writes never meets another that did the same (SQLITE_BUSY instead of a wait)
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
        }
    }

    private void commit(Connection connection) throws SQLException {
        if (postgres) {
            connection.commit();
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("COMMIT");
        }
    }

    private void rollback(Connection connection) throws SQLException {
        if (postgres) {
            connection.rollback();
            return;
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        } catch (SQLException none) {
            // "no transaction is active": the failure was BEGIN's own, or SQLite already rolled back
            if (none.getMessage() == null || !none.getMessage().contains("no transaction is active")) {
                throw none;
            }
        }
    }

    /**
     * Gives the pages freed by deletions back to the file system (the embedded store; PostgreSQL's autovacuum does
     * this there), and cuts the write-ahead log back: after a purge, the file shrinks to about the data it holds.
     */
    public void reclaimFreeSpace() {
        if (postgres) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            // each step of the pragma frees pages: run to its end (execute() would take one step)
            statement.executeUpdate("PRAGMA incremental_vacuum");
        } catch (SQLException e) {
            throw new StoreException(e);
        }
        checkpoint();
    }

    /**
     * Copies the write-ahead log into the embedded store's file and truncates it. SQLite's own checkpoints reuse the
     * log only when no reader is behind, which under steady load is seldom: this keeps it small. The copy is made
     * first while writers go on (PASSIVE); they wait only for what was committed meanwhile and the truncation.
     * (The store's connections never checkpoint on their own: a commit that did would hold the one writer's turn.)
     */
    public void checkpoint() {
        if (postgres) {
            return;
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA wal_checkpoint(PASSIVE)");
            // the truncation in the writer's turn: writers wait for it in the hub and are woken the moment it ends,
            // instead of meeting SQLite's lock and sleeping in its busy handler (1, 2, 5, 10, 15, 20 ms ...)
            if (!writer.tryLock(lockTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                return;
            }
            // and without waiting for readers (a count over a long backlog): while one reads, the truncation is left
            // for the next look, instead of holding every writer until the read ends
            long busyTimeout;
            try (ResultSet rs = statement.executeQuery("PRAGMA busy_timeout")) {
                busyTimeout = rs.next() ? rs.getLong(1) : lockTimeoutMillis;
            }
            try {
                statement.execute("PRAGMA busy_timeout = 0");
                statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            } finally {
                try {
                    statement.execute("PRAGMA busy_timeout = " + busyTimeout);
                } finally {
                    writer.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            throw new StoreException(e);
        }
    }

    /** Appended to a SELECT that locks the rows it reads for the transaction (SQLite's transaction holds them all). */
    public String lockRows() {
        return postgres ? " FOR UPDATE" : "";
    }

    /** As {@link #lockRows()}, passing over rows another transaction holds (PostgreSQL: several hubs claim at once). */
    public String lockRowsSkipLocked() {
        return postgres ? " FOR UPDATE SKIP LOCKED" : "";
    }

    /**
     * A time as a statement parameter: PostgreSQL's {@code TIMESTAMP WITH TIME ZONE}; in SQLite, microseconds since
     * the epoch (an INTEGER, which compares and sorts as time does).
     */
    public Object time(Instant instant) {
        return time(instant, postgres);
    }

    /** {@link #time(Instant)} for a store of the given kind (a migration's data, written before any store is open). */
    public static Object time(Instant instant, boolean postgres) {
        if (instant == null) {
            return null;
        }
        if (postgres) {
            return instant.atOffset(ZoneOffset.UTC);
        }
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** A time column read back; null when NULL. */
    public Instant instant(ResultSet rows, String column) throws SQLException {
        return postgres ? instant(rows.getObject(column, OffsetDateTime.class)) : micros(rows.getObject(column));
    }

    /** A time column read back by position; null when NULL. */
    public Instant instant(ResultSet rows, int column) throws SQLException {
        return postgres ? instant(rows.getObject(column, OffsetDateTime.class)) : micros(rows.getObject(column));
    }

    private static Instant micros(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number)) {
            throw new IllegalArgumentException("not a time in microseconds: " + value.getClass());
        }
        long micros = number.longValue();
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000);
    }

    private volatile java.util.function.Consumer<SQLException> brokenListener;

    /** Told when the embedded store failed in a way its pooled connections cannot recover from (see {@link #failedForGood}). */
    void onFailedForGood(java.util.function.Consumer<SQLException> listener) {
        this.brokenListener = listener;
    }

    /**
     * Whether the embedded store failed below SQL: its file could not be read or written (I/O error, disk full, a
     * file removed or replaced under the hub, corruption). Its connections are then opened anew once it answers.
     */
    static boolean failedForGood(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof org.sqlite.SQLiteException sqlite) {
                int primary = sqlite.getResultCode().code & 0xff;
                // SQLITE_IOERR 10, SQLITE_CORRUPT 11, SQLITE_FULL 13, SQLITE_CANTOPEN 14, SQLITE_NOTADB 26, SQLITE_READONLY 8
                if (primary == 10 || primary == 11 || primary == 13 || primary == 14 || primary == 26 || primary == 8) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the store answered its last check. */
    public boolean isAvailable() {
        return unavailable == null;
    }

    /** Set by the monitor: {@code reason} while the store is away, null once it answers again. */
    void availability(String reason) {
        this.unavailable = reason;
    }

    public static boolean isUniqueViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            // SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
            if (t instanceof org.sqlite.SQLiteException sqlite
                    && (sqlite.getResultCode().code == 1555 || sqlite.getResultCode().code == 2067)) {
                return true;
            }
        }
        return hasSqlState(e, UNIQUE_VIOLATION);
    }

    /** The embedded store gave up waiting for its write lock (SQLITE_BUSY after the busy timeout). */
    public static boolean isLockTimeout(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.sqlite.SQLiteException sqlite && (sqlite.getResultCode().code & 0xff) == 5) {
                return true;
            }
        }
        return false;
    }

    /** PostgreSQL rolled the transaction back to break a deadlock or a serialization conflict (SQL state class 40). */
    public static boolean isTransactionConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("40")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasSqlState(Throwable e, String state) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof OffsetDateTime odt) {
            return odt.toInstant();
        }
        if (value instanceof Timestamp ts) {
            return ts.toInstant();
        }
        throw new IllegalArgumentException("not a timestamp: " + value.getClass());
    }
}
