package io.integrationhub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The two databases the hub runs on, for tests that prove a guarantee on both: the embedded SQLite file and a real
 * PostgreSQL (one embedded server for the whole test run, stopped when the JVM exits; each test gets a database of
 * its own on it).
 */
public final class BothStores {

    public enum Backend { SQLITE, POSTGRES }

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres postgres;

    private BothStores() {
    }

    /** A new, empty database: the SQLite file {@code hub.db} in {@code folder}, or a new database on PostgreSQL. */
    public static String newDatabase(Backend backend, Path folder) throws SQLException {
        if (backend == Backend.SQLITE) {
            return "jdbc:sqlite:" + folder.resolve("hub.db").toAbsolutePath();
        }
        EmbeddedPostgres server = postgres();
        String database = "both_stores_" + DATABASES.incrementAndGet();
        try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        return server.getJdbcUrl("postgres", database);
    }

    private static synchronized EmbeddedPostgres postgres() {
        if (postgres == null) {
            try {
                postgres = EmbeddedPostgres.start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }, "both-stores-postgres-stop"));
        }
        return postgres;
    }
}
