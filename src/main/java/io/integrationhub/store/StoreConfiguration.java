package io.integrationhub.store;

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
 * The store: the embedded H2 database under {@code data/} unless {@code DB_URL} names another (PostgreSQL in
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
                    dataSource.close();
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
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
        LOG.info("Store ready: {}", describe(url));
        return new Store(dataSource, url.startsWith("jdbc:postgresql:"));
    }

    /** The URL without credentials or parameters, for the log. */
    static String describe(String jdbcUrl) {
        String withoutParams = jdbcUrl.split("[;?]", 2)[0];
        return withoutParams.replaceAll("//[^/@]*@", "//");
    }
}
