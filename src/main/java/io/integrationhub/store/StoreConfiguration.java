package io.integrationhub.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import io.integrationhub.Settings;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.support.service.ServiceSupport;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store: the embedded SQLite file {@code data/hub.db} unless {@code DB_URL} names another (PostgreSQL in
 * production). The schema is brought up to date by Flyway before any route starts.
 */
@Configuration
public class StoreConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StoreConfiguration.class);
    public static final String STORE_BEAN = "hubStore";
    public static final String MONITOR_BEAN = "hubStoreMonitor";

    @Override
    public void configure(CamelContext camelContext) {
        store(camelContext);
    }

    /** The store of this hub, created on first use: other configurations may need it before this one ran. */
    public static synchronized Store store(CamelContext camelContext) {
        Store existing = camelContext.getRegistry().lookupByNameAndType(STORE_BEAN, Store.class);
        if (existing != null) {
            return existing;
        }
        String url = Settings.get(camelContext, "db.url");
        Store store = open(url, Settings.optional(camelContext, "db.username"),
                Settings.optional(camelContext, "db.password"),
                (int) Settings.number(camelContext, "db.pool-size"),
                Settings.number(camelContext, "db.connection-timeout-ms"));
        HikariDataSource dataSource = (HikariDataSource) store.dataSource();
        StoreMonitor monitor = new StoreMonitor(store, dataSource);
        monitor.start();
        camelContext.getRegistry().bind("hubDataSource", DataSource.class, dataSource);
        camelContext.getRegistry().bind(STORE_BEAN, Store.class, store);
        camelContext.getRegistry().bind(MONITOR_BEAN, StoreMonitor.class, monitor);
        try {
            // closed after the routes stop, so that in-flight work can still record its outcome
            camelContext.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    monitor.close();
                    store.close();
                }
            }, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return store;
    }


    /**
     * Opens a pooled store on {@code url} and brings its schema up to date; blank credentials are left unset. The
     * caller owns the pool: close the {@link HikariDataSource} behind {@link Store#dataSource()} when done.
     */
    public static Store open(String url, String username, String password, int poolSize) {
        return open(url, username, password, poolSize, 30_000);
    }

    /**
     * As {@link #open(String, String, String, int)}, waiting at most {@code connectionTimeoutMillis} for a
     * connection: a database that is away then fails a request within that time instead of holding it.
     */
    public static Store open(String url, String username, String password, int poolSize, long connectionTimeoutMillis) {
        boolean postgres = url.startsWith("jdbc:postgresql:");
        if (!postgres && !url.startsWith("jdbc:sqlite:")) {
            throw new IllegalArgumentException("db.url must be jdbc:sqlite:<file> (the embedded store) or "
                    + "jdbc:postgresql://...; not " + describe(url));
        }
        EmbeddedFileLock lock = postgres ? null : EmbeddedFileLock.take(url);
        HikariConfig config = new HikariConfig();
        config.setPoolName("hub-store");
        config.setJdbcUrl(url);
        if (username != null && !username.isBlank()) {
            config.setUsername(username);
        }
        if (password != null && !password.isBlank()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(connectionTimeoutMillis);
        // a pooled connection is checked before use (when idle for a while) within this; never longer than the wait
        config.setValidationTimeout(Math.min(1000, connectionTimeoutMillis));
        if (!postgres) {
            // every commit is in the write-ahead log (a file write) before it returns: it survives kill -9 of the hub;
            // synchronous=FULL (DB_URL=...?synchronous=FULL) also survives a power cut, at an fsync per commit
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "NORMAL");
            // the one writer at a time: the others wait for the lock this long, as a request waits for a connection
            config.addDataSourceProperty("busy_timeout", String.valueOf(connectionTimeoutMillis));
            // the write-ahead log is cut back to this when it starts over after a checkpoint
            config.addDataSourceProperty("journal_size_limit", String.valueOf(WriteAheadLogKeeper.LIMIT));
            // no checkpoint inside a commit (it would hold the one writer's turn while it copies and syncs the log):
            // the store's WriteAheadLogKeeper checkpoints on a thread of its own
            config.setConnectionInitSql("PRAGMA wal_autocheckpoint = 0");
            // the hub never asks for generated keys: without this the driver runs a query after every INSERT
            config.addDataSourceProperty("jdbc.get_generated_keys", "false");
            prepareEmbedded(url);
        } else {
            // the accepts of a shared transaction are one batch of INSERTs: sent as multi-row INSERTs, PostgreSQL
            // plans and runs one statement for many rows (a fifth less of the committer's time per accepted row)
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
        }
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            if (lock != null) {
                try {
                    lock.close();
                } catch (java.io.IOException closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
        LOG.info("Store ready: {}", describe(url));
        Store store = new Store(dataSource, postgres, connectionTimeoutMillis);
        if (lock != null) {
            store.onClose(new WriteAheadLogKeeper(store, EmbeddedFileLock.file(url), lock));
        }
        return store;
    }

    /**
     * A new embedded store gives freed pages back to the file system (auto_vacuum=INCREMENTAL, which only a file
     * without tables can take; the retention then calls incremental_vacuum), in write-ahead-log mode.
     */
    private static void prepareEmbedded(String url) {
        try (Connection connection = DriverManager.getConnection(url);
             Statement statement = connection.createStatement()) {
            statement.execute("PRAGMA auto_vacuum = INCREMENTAL");
            statement.execute("PRAGMA journal_mode = WAL");
        } catch (SQLException e) {
            throw new IllegalStateException("The embedded store " + describe(url) + " cannot be opened: " + e.getMessage(), e);
        }
    }

    /** The URL without credentials or parameters, for the log. */
    static String describe(String jdbcUrl) {
        String withoutParams = jdbcUrl.split("[;?]", 2)[0];
        return withoutParams.replaceAll("//[^/@]*@", "//");
    }
}
