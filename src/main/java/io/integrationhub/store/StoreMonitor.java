package io.integrationhub.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the store from a thread of its own, so that neither readiness nor a request ever waits for the pool's
 * connection timeout to learn that the database is away. Every {@link #INTERVAL} the store is asked whether it
 * answers within {@link #TIMEOUT}: PostgreSQL on a connection of the monitor's own (outside the pool, so a busy pool
 * cannot delay the answer, opened with a login timeout of a second), the embedded store through the pool. While
 * the store is away, {@link Store#inTransaction} refuses at once; the first answer brings it back.
 */
public final class StoreMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StoreMonitor.class);
    static final Duration INTERVAL = Duration.ofMillis(250);
    static final Duration TIMEOUT = Duration.ofSeconds(1);

    private final Store store;
    private final HikariDataSource pool;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "hub-store-monitor");
        t.setDaemon(true);
        return t;
    });
    /** When the check under way began (nanoTime), or 0 when none is. */
    private volatile long checkStarted;
    private volatile String down;
    private volatile long downSince;
    private Connection own;
    private int slowChecks;
    private static final String SLOW = "the store does not answer";

    public StoreMonitor(Store store, HikariDataSource pool) {
        this.store = store;
        this.pool = pool;
    }

    /** Set when the embedded store closed itself: its pooled connections are useless until it is opened again. */
    private volatile String broken;

    public void start() {
        store.onFailedForGood(this::failedForGood);
        thread.scheduleWithFixedDelay(this::check, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The embedded store failed below SQL (its file could not be read or written: an I/O error, a full disk, a file
     * removed under the hub): requests are refused at once, readiness turns DOWN, and the pooled connections are
     * dropped, so the monitor's next check opens the file anew (SQLite recovers it to its last commit from the
     * write-ahead log) and, once it answers, the hub serves again without a restart.
     */
    void failedForGood(SQLException e) {
        if (store.isPostgres()) {
            return;
        }
        synchronized (this) {
            if (broken != null) {
                return;
            }
            broken = "the embedded store failed: " + describe(e);
        }
        LOG.warn("{}; requests are refused with 503 while it is opened again", broken);
        if (down == null) {
            downSince = System.nanoTime();
        }
        down = broken;
        store.availability(broken);
        pool.getHikariPoolMXBean().softEvictConnections();
    }

    /** Why the store is not usable now, or null when it answered its last check in time. */
    public String problem() {
        long started = checkStarted;
        if (started != 0 && System.nanoTime() - started > TIMEOUT.toNanos()) {
            return "the store did not answer within " + TIMEOUT.toMillis() + " ms";
        }
        return down;
    }

    private void check() {
        checkStarted = System.nanoTime();
        String problem;
        try {
            problem = probe();
        } catch (SQLException | RuntimeException | AssertionError e) {
            if (!store.isPostgres() && Store.failedForGood(e)) {
                pool.getHikariPoolMXBean().softEvictConnections();
            }
            // (an AssertionError: the PostgreSQL driver's, with -ea, on a connection it found closed; an exception
            // escaping here would end the monitor's schedule)
            closeOwn();
            problem = timedOut(e) ? SLOW : describe(e);
        } finally {
            checkStarted = 0;
        }
        // a store that refuses or drops connections is away at once; one that is merely slow to answer (a busy
        // machine, a pause of the JVM) only when it stays slow for a second check in a row
        if (broken != null) {
            if (problem == null) {
                broken = null;
            } else if (!SLOW.equals(problem)) {
                problem = broken + "; opening it again: " + problem;
            } else {
                problem = broken;
            }
        }
        boolean slow = SLOW.equals(problem);
        slowChecks = slow ? slowChecks + 1 : 0;
        if (slow && slowChecks < 2 && down == null) {
            problem = null;
        }
        if (problem != null && down == null) {
            downSince = System.nanoTime();
            LOG.warn("Store unavailable: {}; requests are refused with 503 until it answers again", problem);
        } else if (problem == null && down != null) {
            LOG.info("Store available again after {} ms", (System.nanoTime() - downSince) / 1_000_000);
        }
        down = problem;
        store.availability(problem);
    }

    private String probe() throws SQLException {
        int seconds = (int) TIMEOUT.toSeconds();
        if (!store.isPostgres()) {
            // a statement that reads a table: a connection can say it is valid while its file cannot be read
            try (Connection c = pool.getConnection(); java.sql.Statement statement = c.createStatement()) {
                statement.setQueryTimeout(seconds);
                try (java.sql.ResultSet rows = statement.executeQuery("SELECT COUNT(*) FROM api_keys")) {
                    rows.next();
                }
                return null;
            }
        }
        if (own != null) {
            // a connection of long standing may have been dropped (an idle timeout, a proxy) while the database is
            // fine: only a fresh connection that fails means the store is away
            try {
                if (own.isValid(seconds)) {
                    return null;
                }
            } catch (SQLException dropped) {
                // tried again below
            }
            closeOwn();
        }
        Properties properties = new Properties();
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        properties.setProperty("loginTimeout", String.valueOf(seconds));
        properties.setProperty("connectTimeout", String.valueOf(seconds));
        properties.setProperty("socketTimeout", String.valueOf(2 * seconds));
        properties.setProperty("ApplicationName", "integration-hub store monitor");
        own = DriverManager.getConnection(pool.getJdbcUrl(), properties);
        if (own.isValid(seconds)) {
            return null;
        }
        closeOwn();
        return SLOW;
    }

    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.sql.SQLTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String state = e instanceof SQLException sql && sql.getSQLState() != null ? " (SQL state " + sql.getSQLState() + ")" : "";
        return e.getClass().getSimpleName() + state + ": " + root.getMessage();
    }

    private void closeOwn() {
        if (own != null) {
            try {
                own.close();
            } catch (SQLException ignored) {
                // it is being thrown away because it failed
            }
            own = null;
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeOwn();
    }
}
