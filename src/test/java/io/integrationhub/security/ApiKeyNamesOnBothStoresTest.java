package io.integrationhub.security;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.zaxxer.hikari.HikariDataSource;
import io.integrationhub.store.Store;
import io.integrationhub.store.StoreConfiguration;
import io.integrationhub.testing.BothStores;
import io.integrationhub.testing.BothStores.Backend;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One active key per name, held by the store itself: on the embedded SQLite store and on PostgreSQL, two hubs (two
 * pools on one database) creating the same name at the same moment, in any case or spacing, make exactly one key;
 * and the migration that brings the rule to a store with keys from before it.
 */
class ApiKeyNamesOnBothStoresTest {


    @TempDir
    Path dataDir;

    private final List<Store> opened = new ArrayList<>();

    @AfterEach
    void closePools() {
        opened.forEach(Store::close);
    }

    private String newDatabase(Backend backend) throws SQLException {
        return BothStores.newDatabase(backend, dataDir);
    }

    /** A time as the store keeps it (see {@link Store#time(Instant, boolean)}). */
    private Object time(Instant instant) {
        return Store.time(instant, !sqlite);
    }

    private boolean sqlite;

    private Store open(String url) {
        Store store = StoreConfiguration.open(url, "", "", 8);
        opened.add(store);
        return store;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void twoHubsCreatingOneNameAtOnceMakeOneKey(Backend backend) throws Exception {
        String url = newDatabase(backend);
        // PostgreSQL: two hubs on one database; the embedded store: one hub (one per file), eight threads at once
        Store firstHub = open(url);
        Store secondHub = backend == Backend.POSTGRES ? open(url) : firstHub;
        List<ApiKeys> hubs = List.of(new ApiKeys(firstHub, Clock.systemUTC()), new ApiKeys(secondHub, Clock.systemUTC()));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 15; round++) {
                List<String> spellings = List.of("Shop-" + round, "shop-" + round, "SHOP-" + round + " ", " shop-" + round,
                        "sHoP-" + round + "  ", "Shop-" + round, "shop-" + round + "\t", "SHOP-" + round);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Optional<ApiKeys.IssuedKey>>> attempts = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    ApiKeys hub = hubs.get(t % 2);
                    String name = spellings.get(t);
                    attempts.add(pool.submit(() -> {
                        start.await();
                        return hub.createWithUniqueName(name, Role.SENDER);
                    }));
                }
                List<ApiKeys.IssuedKey> created = new ArrayList<>();
                for (Future<Optional<ApiKeys.IssuedKey>> attempt : attempts) {
                    attempt.get(60, TimeUnit.SECONDS).ifPresent(created::add);
                }
                assertThat(created).as("round " + round).hasSize(1);
                assertThat(created.get(0).key().name()).as("stored trimmed").isEqualTo(created.get(0).key().name().strip());
                int r = round;
                assertThat(hubs.get(0).list().stream().filter(k -> k.name().equalsIgnoreCase("shop-" + r)).count())
                        .as("round " + round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }

        // a revoked key frees its name; a rotated key passes it on to its successor
        ApiKeys keys = hubs.get(0);
        ApiKeys.IssuedKey first = keys.createWithUniqueName("Freed", Role.SENDER).orElseThrow();
        assertThat(keys.createWithUniqueName("freed ", Role.ADMIN)).isEmpty();
        assertThat(keys.revoke(first.key().id())).isTrue();
        ApiKeys.IssuedKey second = keys.createWithUniqueName("freed ", Role.SENDER).orElseThrow();
        assertThat(second.key().name()).isEqualTo("freed");
        ApiKeys.IssuedKey rotated = keys.rotate(second.key().id(), Duration.ofHours(1)).orElseThrow();
        assertThat(keys.createWithUniqueName("FREED", Role.SENDER)).isEmpty();
        // the old key, in its grace period, can be rotated again: the name moves to the newest key
        ApiKeys.IssuedKey again = keys.rotate(second.key().id(), Duration.ofHours(1)).orElseThrow();
        assertThat(keys.revoke(again.key().id())).isTrue();
        assertThat(keys.revoke(rotated.key().id())).isTrue();
        assertThat(keys.createWithUniqueName("Freed", Role.SENDER)).isPresent();
        // the environment's admin key's name is reserved
        assertThat(keys.createWithUniqueName(" hub_admin_key ", Role.ADMIN)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aPrintedKeyMadeTheEnvironmentsAdminKeyAuthenticates(Backend backend) throws Exception {
        ApiKeys keys = new ApiKeys(open(newDatabase(backend)), Clock.systemUTC());
        ApiKeys.IssuedKey printed = keys.createFirstAdminKeyIfNone().orElseThrow();
        assertThat(keys.authenticate(printed.value()).map(Caller::keyId)).hasValue(printed.key().id());
        // the printed key is revoked, and its value becomes HUB_ADMIN_KEY of the same store: the environment's key
        assertThat(keys.revoke(printed.key().id())).isTrue();
        assertThat(keys.authenticate(printed.value())).isEmpty();
        assertThat(keys.seedEnvironmentAdminKey(printed.value())).isTrue();
        Caller caller = keys.authenticate(printed.value()).orElseThrow();
        assertThat(caller.keyId()).isEqualTo(ApiKeys.ENVIRONMENT_KEY_ID);
        assertThat(caller.isAdmin()).isTrue();
        // a value of the hub's shape whose id is unknown, as HUB_ADMIN_KEY
        String pasted = "hk_fedcba9876543210_" + "x".repeat(43);
        assertThat(keys.seedEnvironmentAdminKey(pasted)).isTrue();
        assertThat(keys.authenticate(pasted).map(Caller::keyId)).hasValue(ApiKeys.ENVIRONMENT_KEY_ID);
        assertThat(keys.authenticate(printed.value())).as("the previous value is replaced").isEmpty();
        assertThat(keys.authenticate("hk_fedcba9876543210_" + "y".repeat(43))).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void theMigrationGivesEachNameToItsNewestActiveKey(Backend backend) throws Exception {
        String url = newDatabase(backend);
        sqlite = backend == Backend.SQLITE;
        String user = backend == Backend.SQLITE ? "" : null;
        Flyway.configure().dataSource(url, user, user).locations("classpath:db/migration").target("2").load().migrate();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (Connection c = java.sql.DriverManager.getConnection(url, user, user)) {
            insert(c, "aaaaaaaaaaaaaaa1", "Shop", t0, null, null);
            insert(c, "aaaaaaaaaaaaaaa2", "shop ", t0.plusSeconds(1), null, null);
            insert(c, "aaaaaaaaaaaaaaa3", "SHOP", t0.plusSeconds(2), null, t0.plusSeconds(3));
            insert(c, "aaaaaaaaaaaaaaa4", "other", t0, t0.plusSeconds(5), null);
            insert(c, "aaaaaaaaaaaaaaa5", "Other", t0.plusSeconds(1), null, null);
        }
        ApiKeys keys = new ApiKeys(open(url), Clock.systemUTC());
        // the newest active 'shop' holds the name; a revoked one holds nothing, and 'Other' holds its own
        assertThat(keys.createWithUniqueName("shop", Role.SENDER)).isEmpty();
        assertThat(keys.createWithUniqueName("OTHER", Role.SENDER)).isEmpty();
        assertThat(keys.revoke("aaaaaaaaaaaaaaa2")).isTrue();
        assertThat(keys.createWithUniqueName("shop", Role.SENDER)).as("the older duplicate holds no claim").isPresent();
        assertThat(keys.createWithUniqueName("fresh", Role.SENDER)).isPresent();
    }

    private void insert(Connection c, String id, String name, Instant created, Instant expires, Instant revoked)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_keys (id, name, role, secret_hash, created_at,"
                + " expires_at, revoked_at) VALUES (?, ?, 'sender', ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, "0".repeat(64));
            ps.setObject(4, time(created));
            ps.setObject(5, time(expires));
            ps.setObject(6, time(revoked));
            ps.executeUpdate();
        }
    }
}
