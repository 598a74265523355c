package io.integrationhub.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The benchmark suite's PostgreSQL: a real server (the same binaries the tests use) with {@code synchronous_commit}
 * and {@code fsync} on, as in production. Creates the databases named as arguments, writes one JDBC URL per line to
 * the file given first (the suite reads it), and runs until its standard input closes.
 * <p>
 * {@code java -cp <test classpath> io.integrationhub.bench.BenchPostgres urls.txt accept dispatch_one dispatch_two}
 */
public final class BenchPostgres {

    private BenchPostgres() {
    }

    public static void main(String[] args) throws Exception {
        // the library's own default turns synchronous_commit off (fast tests); a benchmark of durability must not
        try (EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                .setServerConfig("max_connections", "300")
                .start()) {
            StringBuilder urls = new StringBuilder();
            try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                for (int i = 1; i < args.length; i++) {
                    s.execute("CREATE DATABASE " + args[i]);
                    urls.append(server.getJdbcUrl("postgres", args[i])).append('\n');
                }
                try (ResultSet rs = s.executeQuery("SELECT current_setting('synchronous_commit'), current_setting('fsync')")) {
                    rs.next();
                    System.err.printf("PostgreSQL on port %d: synchronous_commit=%s, fsync=%s%n", server.getPort(),
                            rs.getString(1), rs.getString(2));
                }
            }
            Path file = Path.of(args[0]);
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, urls.toString(), StandardCharsets.UTF_8);
            Files.move(partial, file);
            // until the suite is done with it
            while (System.in.read() >= 0) {
                // nothing
            }
        }
    }
}
