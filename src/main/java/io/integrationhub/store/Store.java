package io.integrationhub.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import javax.sql.DataSource;

/**
 * The hub's one relational store: transactions over a pooled {@link DataSource}, either the embedded H2
 * database or PostgreSQL. Every capability keeps its rows here so that an acknowledged request survives a crash.
 */
public final class Store {

    /** SQL state of a unique or primary key violation, the same on H2 and PostgreSQL. */
    public static final String UNIQUE_VIOLATION = "23505";

    @FunctionalInterface
    public interface Work<T> {
        T apply(Connection connection) throws SQLException;
    }

    private final DataSource dataSource;
    private final boolean postgres;

    public Store(DataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.postgres = postgres;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public boolean isPostgres() {
        return postgres;
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
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                try {
                    T result = work.apply(connection);
                    connection.commit();
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
                    connection.rollback();
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

    private volatile java.util.function.Consumer<SQLException> brokenListener;

    /** Told when the embedded store has closed itself for good (see {@link #failedForGood}). */
    void onFailedForGood(java.util.function.Consumer<SQLException> listener) {
        this.brokenListener = listener;
    }

    /**
     * Whether the embedded store closed its database: H2 does so after a failure it cannot recover from in place (a
     * write that ran out of memory, a file error), and from then on every statement on its connections fails until
     * the database is opened again.
     */
    static boolean failedForGood(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().equals("90098") || sql.getSQLState().equals("90121"))) {
                return true;
            }
            if (t instanceof OutOfMemoryError || t.getClass().getName().equals("org.h2.mvstore.MVStoreException")) {
                return true;
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
        return hasSqlState(e, UNIQUE_VIOLATION);
    }

    /** The embedded store gave up waiting for a row another transaction holds (PostgreSQL waits instead). */
    public static boolean isLockTimeout(Throwable e) {
        return hasSqlState(e, "HYT00");
    }

    private static boolean hasSqlState(Throwable e, String state) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && state.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    public static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    public static Instant instant(Object value) {
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
