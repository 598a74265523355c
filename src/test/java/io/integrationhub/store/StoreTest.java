package io.integrationhub.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.zaxxer.hikari.HikariDataSource;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.Idempotency;
import io.integrationhub.api.Idempotency.StoredResponse;
import io.integrationhub.outbox.Outbox;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.BothStores;
import io.integrationhub.testing.BothStores.Backend;
import io.integrationhub.testing.TestHub;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The store's guarantees on both databases the hub supports: the embedded SQLite file store and a real PostgreSQL.
 * Each test gets a fresh database, migrated exactly as the hub migrates it at start.
 */
class StoreTest {


    @TempDir
    Path dataDir;

    private final List<Store> opened = new ArrayList<>();
    private HikariDataSource lastPool;
    private static final int POOL_SIZE = 10;
    /** The JDBC URL of the store {@link #open} opened last. */
    private String url;

    @AfterEach
    void closePools() {
        opened.forEach(Store::close);
    }

    /** A fresh, migrated store: a SQLite file in the test's folder, or a new database on the embedded PostgreSQL. */
    private Store open(Backend backend) throws SQLException {
        String url = BothStores.newDatabase(backend, dataDir);
        Store store = StoreConfiguration.open(url, "", "", POOL_SIZE);
        this.url = url;
        opened.add(store);
        lastPool = (HikariDataSource) store.dataSource();
        assertThat(store.isPostgres()).isEqualTo(backend == Backend.POSTGRES);
        return store;
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migrationsApplyAndAreNotRunTwice(Backend backend) throws Exception {
        Store store = open(backend);

        Flyway flyway = Flyway.configure().dataSource(store.dataSource()).locations("classpath:db/migration").load();
        MigrationInfo current = flyway.info().current();
        assertThat(current).isNotNull();
        assertThat(current.getVersion().getVersion()).isEqualTo("9");
        assertThat(current.getState()).isEqualTo(MigrationState.SUCCESS);
        assertThat(flyway.info().pending()).isEmpty();
        // a second start finds nothing to do
        assertThat(flyway.migrate().migrationsExecuted).isZero();

        for (String table : List.of("api_keys", "outbox_messages", "idempotency_keys", "webhook_events")) {
            assertThat(count(store, "SELECT COUNT(*) FROM " + table)).as(table).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentClaimersNeverShareAMessage(Backend backend) throws Exception {
        Store store = open(backend);
        Outbox outbox = new Outbox(store, Clock.systemUTC(), Duration.ofSeconds(120));
        Set<String> queued = enqueue(store, outbox, 200);

        int threads = 4;
        Map<String, List<String>> claimsById = new ConcurrentHashMap<>();
        Map<String, String> leaseById = new ConcurrentHashMap<>();
        Map<Integer, Integer> claimedByThread = new ConcurrentHashMap<>();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    while (true) {
                        List<Outbox.Claim> claims = outbox.claimDue("email", 7);
                        if (claims.isEmpty()) {
                            return null;
                        }
                        assertThat(claims).hasSizeLessThanOrEqualTo(7);
                        for (Outbox.Claim claim : claims) {
                            claimsById.computeIfAbsent(claim.message().id(), id -> Collections.synchronizedList(new ArrayList<>()))
                                    .add("thread " + thread);
                            leaseById.put(claim.message().id(), claim.lease());
                            assertThat(claim.message().attempts()).isEqualTo(1);
                        }
                        claimedByThread.merge(thread, claims.size(), Integer::sum);
                    }
                }));
            }
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("%s: claimed per thread %s%n", backend, claimedByThread);

        Map<String, List<String>> twice = new HashMap<>();
        claimsById.forEach((id, claimers) -> {
            if (claimers.size() > 1) {
                twice.put(id, claimers);
            }
        });
        assertThat(twice.size()).as("messages handed to more than one claimer, for example %s",
                twice.entrySet().stream().limit(3).toList()).isZero();
        assertThat(claimsById.keySet()).as("every queued message claimed").isEqualTo(queued);
        assertThat(count(store, "SELECT COUNT(*) FROM outbox_messages WHERE status <> 'sending'")).isZero();
        // the row's lease is the one its only claimer holds, and every message was counted once
        Map<String, String> leaseInStore = new HashMap<>();
        store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id, lease_owner, attempts FROM outbox_messages");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leaseInStore.put(rs.getString(1), rs.getString(2));
                    assertThat(rs.getInt(3)).as("attempts of " + rs.getString(1)).isEqualTo(1);
                }
            }
            return null;
        });
        assertThat(leaseInStore).isEqualTo(leaseById);
        assertThat(outbox.claimDue("email", 7)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void retentionPurgesFinishedMessagesPastItAndNeverOnesStillToBeDelivered(Backend backend) throws Exception {
        Store store = open(backend);
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T10:00:00Z"));
        Outbox outbox = new Outbox(store, clock, Duration.ofSeconds(120));
        enqueue(store, outbox, 6);
        List<Outbox.Claim> claims = outbox.claimDue("email", 4);
        assertThat(outbox.markSent(claims.get(0).message().id(), claims.get(0).lease(), "email-smtp", "1", null)).isTrue();
        assertThat(outbox.markSent(claims.get(1).message().id(), claims.get(1).lease(), "email-smtp", "2", null)).isTrue();
        assertThat(outbox.markDead(claims.get(2).message().id(), claims.get(2).lease(), "email-smtp", "refused", null)).isTrue();
        // claims.get(3) stays sending; two messages stay queued

        clock.advance(Duration.ofDays(29));
        assertThat(outbox.purgeFinished(clock.instant().minus(Duration.ofDays(30)), 1000)).isZero();

        clock.advance(Duration.ofDays(2));
        Instant before = clock.instant().minus(Duration.ofDays(30));
        // in chunks: one at a time, until none is left
        assertThat(outbox.purgeFinished(before, 1)).isEqualTo(1);
        assertThat(outbox.purgeFinished(before, 1000)).isEqualTo(2);
        assertThat(outbox.purgeFinished(before, 1000)).isZero();
        assertThat(count(store, "SELECT COUNT(*) FROM outbox_messages WHERE status IN ('sent', 'dead')")).isZero();
        assertThat(count(store, "SELECT COUNT(*) FROM outbox_messages WHERE status = 'queued'")).isEqualTo(2);
        assertThat(outbox.find(claims.get(3).message().id()).orElseThrow().status()).isEqualTo(OutboxMessage.SENDING);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aReceiptFindsItsSentMessageByTheProvidersIdAndNothingElse(Backend backend) throws Exception {
        Store store = open(backend);
        Outbox outbox = new Outbox(store, java.time.Clock.systemUTC(), Duration.ofSeconds(120));
        List<String> ids = new ArrayList<>(enqueue(store, outbox, 3));
        List<Outbox.Claim> claims = outbox.claimDue("email", 3);
        assertThat(outbox.markSent(claims.get(0).message().id(), claims.get(0).lease(), "sms-twilio", "SM1", null)).isTrue();
        assertThat(outbox.markSent(claims.get(1).message().id(), claims.get(1).lease(), "sms-twilio", "SM2", null)).isTrue();

        assertThat(outbox.recordReceipt("sms-twilio", "SM1", true, null, null)).isTrue();
        assertThat(outbox.recordReceipt("sms-twilio", "SM2", false, "30003", "unreachable handset")).isTrue();
        // another provider's id, an unknown id, and a message not sent yet are not touched
        assertThat(outbox.recordReceipt("email-resend", "SM1", true, null, null)).isFalse();
        assertThat(outbox.recordReceipt("sms-twilio", "SM9", true, null, null)).isFalse();

        OutboxMessage delivered = outbox.find(claims.get(0).message().id()).orElseThrow();
        assertThat(delivered.status()).isEqualTo(OutboxMessage.DELIVERED);
        assertThat(delivered.deliveredAt()).isNotNull();
        OutboxMessage undelivered = outbox.find(claims.get(1).message().id()).orElseThrow();
        assertThat(undelivered.status()).isEqualTo(OutboxMessage.UNDELIVERED);
        assertThat(undelivered.providerErrorCode()).isEqualTo("30003");
        assertThat(undelivered.lastError()).isEqualTo("unreachable handset");
        assertThat(outbox.find(claims.get(2).message().id()).orElseThrow().status()).isEqualTo(OutboxMessage.SENDING);
        assertThat(ids).hasSize(3);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aClaimThatMayHaveCommittedUnseenIsGivenBackByItsToken(Backend backend) throws Exception {
        Store store = open(backend);
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T10:00:00Z"));
        Outbox outbox = new Outbox(store, clock, Duration.ofSeconds(120));
        Set<String> ids = enqueue(store, outbox, 2);
        // the claimer heard nothing back from this claim (the database went away during its COMMIT), yet it holds
        String token = Outbox.newClaimToken();
        assertThat(outbox.claimDue("email", 10, token)).hasSize(2);
        assertThat(outbox.claimDue("email", 10)).isEmpty();

        // once the store answers, the claim is given back untried: due at once, the attempt not counted
        assertThat(outbox.releaseClaim(token)).isTrue();
        List<Outbox.Claim> again = outbox.claimDue("email", 10);
        assertThat(again).extracting(claim -> claim.message().id()).containsExactlyInAnyOrderElementsOf(ids);
        assertThat(again).allMatch(claim -> claim.message().attempts() == 1 && claim.message().lastError() == null);
        // a token whose claim did not commit, or was given back already, changes nothing
        assertThat(outbox.releaseClaim(token)).isTrue();
        assertThat(outbox.find(again.get(0).message().id()).orElseThrow().status()).isEqualTo(OutboxMessage.SENDING);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void expiredLeaseIsClaimedAgainAndTheOldTokenIsWorthless(Backend backend) throws Exception {
        Store store = open(backend);
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T10:00:00Z"));
        Outbox outbox = new Outbox(store, clock, Duration.ofSeconds(120));
        String id = enqueue(store, outbox, 1).iterator().next();

        List<Outbox.Claim> first = outbox.claimDue("email", 10);
        assertThat(first).hasSize(1);
        Outbox.Claim crashed = first.get(0);
        assertThat(crashed.message().id()).isEqualTo(id);

        // while the lease runs, nobody else gets the message
        clock.advance(Duration.ofSeconds(119));
        assertThat(outbox.claimDue("email", 10)).isEmpty();

        // the claimer went silent; once its lease has passed the message is claimed again under a new token
        clock.advance(Duration.ofSeconds(2));
        List<Outbox.Claim> second = outbox.claimDue("email", 10);
        assertThat(second).hasSize(1);
        Outbox.Claim retaken = second.get(0);
        assertThat(retaken.message().id()).isEqualTo(id);
        assertThat(retaken.lease()).isNotEqualTo(crashed.lease());
        assertThat(retaken.message().attempts()).isEqualTo(2);
        // it may have reached the provider before its claimer stopped: the resend says so, on either store
        assertThat(crashed.message().lastError()).isNull();
        assertThat(retaken.message().lastError()).isEqualTo(Outbox.ABANDONED);
        assertThat(outbox.find(id).orElseThrow().lastError()).isEqualTo(Outbox.ABANDONED);

        // the old claimer wakes up: it can record nothing
        assertThat(outbox.markSent(id, crashed.lease(), "email-smtp", "old", null)).isFalse();
        assertThat(outbox.scheduleRetry(id, crashed.lease(), Duration.ofSeconds(5), "email-smtp", "old", null)).isFalse();
        assertThat(outbox.release(id, crashed.lease())).isFalse();
        assertThat(outbox.markDead(id, crashed.lease(), "email-smtp", "old", null)).isFalse();
        assertThat(outbox.postpone(id, crashed.lease(), Duration.ofMinutes(1), "old")).isFalse();
        assertThat(outbox.find(id).orElseThrow().status()).isEqualTo(OutboxMessage.SENDING);

        assertThat(outbox.markSent(id, retaken.lease(), "email-smtp", "new", null)).isTrue();
        OutboxMessage sent = outbox.find(id).orElseThrow();
        assertThat(sent.status()).isEqualTo(OutboxMessage.SENT);
        assertThat(sent.providerMessageId()).isEqualTo("new");
        assertThat(sent.attempts()).isEqualTo(2);
        // and a sent message is not claimed again, however much time passes
        assertThat(outbox.markSent(id, crashed.lease(), "email-smtp", "old", null)).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(outbox.claimDue("email", 10)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sameKeyFromManyThreadsRunsTheWorkOnce(Backend backend) throws Exception {
        Store store = open(backend);
        Outbox outbox = new Outbox(store, Clock.systemUTC(), Duration.ofSeconds(120));
        Idempotency idempotency = new Idempotency(store, Clock.systemUTC(), Duration.ofHours(24));
        String hash = Idempotency.requestHash("POST", "/api/v1/email", "{\"subject\":\"once\"}");

        int threads = 20;
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger handedIn = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<StoredResponse> responses = new ArrayList<>();
        try {
            List<Future<StoredResponse>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    handedIn.incrementAndGet();
                    return idempotency.execute("sender", "key-1", hash, c -> {
                        runs.incrementAndGet();
                        String id = Outbox.newId();
                        outbox.enqueue(c, id, "email", "{\"subject\":\"once\"}", "sender");
                        // hold the key uncommitted until every other request has been handed in (they queue for the
                        // next shared transaction, or share this one): the unique key, not their timing, must keep
                        // them from running the work
                        await().atMost(Duration.ofSeconds(30)).until(() -> handedIn.get() == threads);
                        TestHub.sleep(100);
                        return new StoredResponse(202, "{\"id\":\"" + id + "\"}");
                    });
                }));
            }
            for (Future<StoredResponse> future : futures) {
                responses.add(future.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(runs.get()).as("times the work ran").isEqualTo(1);
        assertThat(count(store, "SELECT COUNT(*) FROM outbox_messages")).isEqualTo(1);
        assertThat(count(store, "SELECT COUNT(*) FROM idempotency_keys")).isEqualTo(1);
        assertThat(new HashSet<>(responses)).hasSize(1);
        StoredResponse response = responses.get(0);
        assertThat(response.status()).isEqualTo(202);
        String storedId = store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM outbox_messages");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        });
        assertThat(response.body()).isEqualTo("{\"id\":\"" + storedId + "\"}");

        // later retries replay the same response without running the work
        assertThat(idempotency.execute("sender", "key-1", hash, c -> {
            runs.incrementAndGet();
            return new StoredResponse(500, "must not run");
        })).isEqualTo(response);
        assertThat(runs.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void sameKeyWithAnotherRequestIs422(Backend backend) throws Exception {
        Store store = open(backend);
        Idempotency idempotency = new Idempotency(store, Clock.systemUTC(), Duration.ofHours(24));
        String first = Idempotency.requestHash("POST", "/api/v1/email", "{\"subject\":\"a\"}");
        String other = Idempotency.requestHash("POST", "/api/v1/email", "{\"subject\":\"b\"}");
        AtomicInteger runs = new AtomicInteger();

        StoredResponse response = idempotency.execute("sender", "key-2", first, c -> {
            runs.incrementAndGet();
            return new StoredResponse(202, "{\"first\":true}");
        });
        assertThat(response).isEqualTo(new StoredResponse(202, "{\"first\":true}"));

        assertThatThrownBy(() -> idempotency.execute("sender", "key-2", other, c -> {
            runs.incrementAndGet();
            return new StoredResponse(202, "{\"second\":true}");
        })).isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status()).isEqualTo(422));
        assertThat(runs.get()).isEqualTo(1);
        assertThat(count(store, "SELECT COUNT(*) FROM idempotency_keys WHERE request_hash = '" + first + "'")).isEqualTo(1);

        // keys are per scope: another sender may use the same key for its own request
        assertThat(idempotency.execute("other-sender", "key-2", other, c -> new StoredResponse(202, "{\"other\":true}")))
                .isEqualTo(new StoredResponse(202, "{\"other\":true}"));
    }

    private static Set<String> enqueue(Store store, Outbox outbox, int n) {
        Set<String> ids = new HashSet<>();
        store.inTransaction(c -> {
            for (int i = 0; i < n; i++) {
                String id = Outbox.newId();
                outbox.enqueue(c, id, "email", "{\"n\":" + i + "}", "sender");
                ids.add(id);
            }
            return null;
        });
        return ids;
    }

    /**
     * Accepts that share a transaction fail alone: a message whose insert fails (its id is taken) is refused, and the
     * others of the same shared transaction are stored. On PostgreSQL their rows go to the server as one batch, so
     * the failure cannot be told apart there: the transaction is undone and each runs again alone.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFailingAcceptInASharedTransactionFailsAloneAndTheOthersAreStored(Backend backend) throws Exception {
        Store store = open(backend);
        Outbox outbox = new Outbox(store, Clock.systemUTC(), Duration.ofSeconds(120));
        String taken = Outbox.newId();
        store.inTransaction(c -> outbox.enqueue(c, taken, "email", "{}", "test"));
        int accepts = 30;
        ExecutorService pool = Executors.newFixedThreadPool(accepts + 1);
        try {
            // the accepts queue up behind the held committer and share the transaction that comes next
            List<Future<String>> results = acceptTogether(store, outbox, pool, accepts,
                    i -> i == accepts / 2 ? taken : Outbox.newId(), i -> "{\"n\": 1}");
            int stored = 0;
            for (int i = 0; i < accepts; i++) {
                Future<String> result = results.get(i);
                if (i == accepts / 2) {
                    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
                            .hasCauseInstanceOf(io.integrationhub.store.StoreException.class);
                } else {
                    assertThat(outbox.find(result.get(10, TimeUnit.SECONDS))).isPresent();
                    stored++;
                }
            }
            assertThat(stored).isEqualTo(accepts - 1);
            assertThat(count(store, "SELECT COUNT(*) FROM outbox_messages")).isEqualTo(accepts);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * On PostgreSQL the accepts of a shared transaction go as multi-row INSERTs (one statement for many rows), and a
     * batch of them is stored whole: every row, each readable as it was written.
     */
    @org.junit.jupiter.api.Test
    void onPostgresTheAcceptsOfASharedTransactionGoAsMultiRowInserts() throws Exception {
        Store store = open(Backend.POSTGRES);
        try (java.sql.Connection c = store.dataSource().getConnection()) {
            assertThat(c.unwrap(org.postgresql.core.BaseConnection.class).getQueryExecutor()
                    .isReWriteBatchedInsertsEnabled()).isTrue();
        }
        Outbox outbox = new Outbox(store, Clock.systemUTC(), Duration.ofSeconds(120));
        int accepts = 40;
        ExecutorService pool = Executors.newFixedThreadPool(accepts + 1);
        try {
            List<Future<String>> results = acceptTogether(store, outbox, pool, accepts, i -> Outbox.newId(),
                    i -> "{\"n\": " + i + "}");
            for (int i = 0; i < accepts; i++) {
                assertThat(outbox.find(results.get(i).get(10, TimeUnit.SECONDS)).orElseThrow().payload())
                        .isEqualTo("{\"n\": " + i + "}");
            }
            assertThat(count(store, "SELECT COUNT(*) FROM outbox_messages")).isEqualTo(accepts);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Updates that share a transaction each learn their own row count (a worker learns from it whether it still held
     * its message's lease), also on PostgreSQL, where they go to the server as one batch.
     */
    @ParameterizedTest
    @EnumSource(Backend.class)
    void sharedUpdatesInOneTransactionEachLearnTheirOwnCount(Backend backend) throws Exception {
        Store store = open(backend);
        Outbox outbox = new Outbox(store, Clock.systemUTC(), Duration.ofSeconds(120));
        int updates = 30;
        java.util.List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < updates; i++) {
            String id = Outbox.newId();
            ids.add(id);
            store.inTransaction(c -> outbox.enqueue(c, id, "email", "{}", "test"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(updates + 1);
        try {
            // the updates queue up behind the held committer and share the transaction that comes next
            CommitterHeld held = holdTheCommitter(store, pool);
            Map<Integer, Future<Integer>> counts = new HashMap<>();
            for (int i = 0; i < updates; i++) {
                int n = i;
                // every third names no message
                String id = n % 3 == 2 ? Outbox.newId() : ids.get(n);
                counts.put(n, pool.submit(() -> store.sharedUpdate(
                        "UPDATE outbox_messages SET status = ?, last_error = ? WHERE id = ?", "dead", "u" + n, id)));
            }
            held.release();
            for (int i = 0; i < updates; i++) {
                assertThat(counts.get(i).get(10, TimeUnit.SECONDS)).as("update " + i).isEqualTo(i % 3 == 2 ? 0 : 1);
            }
            for (int i = 0; i < updates; i++) {
                OutboxMessage message = outbox.find(ids.get(i)).orElseThrow();
                boolean updated = i % 3 != 2;
                assertThat(message.status()).as("message " + i).isEqualTo(updated ? "dead" : "queued");
                assertThat(message.lastError()).isEqualTo(updated ? "u" + i : null);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The store's committer (each store has one) busy with a unit that waits until {@link #release}. */
    private record CommitterHeld(java.util.concurrent.CountDownLatch queued, Future<?> holder) {
        /** Lets the held unit end, once what was handed in meanwhile has had time to queue behind it. */
        void release() throws Exception {
            Thread.sleep(300);
            queued.countDown();
            holder.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * {@code count} accepts (message {@code i} with id {@code id.apply(i)} and payload {@code payload.apply(i)}),
     * queued behind a held committer so that they share the transaction that comes next; their ids, in order.
     */
    private static List<Future<String>> acceptTogether(Store store, Outbox outbox, ExecutorService pool, int count,
            java.util.function.IntFunction<String> id, java.util.function.IntFunction<String> payload)
            throws Exception {
        CommitterHeld held = holdTheCommitter(store, pool);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String messageId = id.apply(i);
            String content = payload.apply(i);
            results.add(pool.submit(() -> store.inSharedTransactionRerunnable(c -> {
                outbox.enqueue(c, messageId, "email", content, "test");
                return messageId;
            })));
        }
        held.release();
        return results;
    }

    private static CommitterHeld holdTheCommitter(Store store, ExecutorService pool) throws InterruptedException {
        java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
        Future<?> holder = pool.submit(() -> store.inSharedTransactionRerunnable(c -> {
            holding.countDown();
            try {
                return queued.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).as("the committer is held").isTrue();
        return new CommitterHeld(queued, holder);
    }

    private static long count(Store store, String sql) {
        return store.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /**
     * When the database goes away mid-transaction, the rollback usually fails too: the failure that stopped the work
     * (08006) is the cause that is reported and logged, the rollback's is kept beside it.
     */
    @org.junit.jupiter.api.Test
    void theFirstFailureIsTheCauseAndTheRollbacksFailureIsKeptBesideIt() throws Exception {
        javax.sql.DataSource pool = open(Backend.SQLITE).dataSource();
        ClassLoader loader = getClass().getClassLoader();
        javax.sql.DataSource failingRollback = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(loader,
                new Class<?>[] {javax.sql.DataSource.class}, (proxy, method, args) -> {
                    Object result = invoke(method, pool, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return java.lang.reflect.Proxy.newProxyInstance(loader, new Class<?>[] {Connection.class},
                            (p, m, a) -> {
                                if (m.getName().equals("rollback") && a == null) {
                                    connection.rollback();
                                    throw new SQLException("This connection has been closed.", "08003");
                                }
                                return invoke(m, connection, a);
                            });
                });
        // PostgreSQL's way of ending a transaction (the connection's rollback), which is where a lost database fails
        Store store = new Store(failingRollback, true);
        assertThatThrownBy(() -> store.inTransaction(c -> {
            throw new SQLException("An I/O error occurred while sending to the backend.", "08006");
        })).isInstanceOf(StoreException.class).hasMessage("store error (SQL state 08006)")
                .satisfies(e -> {
                    SQLException cause = (SQLException) e.getCause();
                    assertThat(cause.getSQLState()).isEqualTo("08006");
                    assertThat(cause.getSuppressed()).hasSize(1);
                    assertThat(((SQLException) cause.getSuppressed()[0]).getSQLState()).isEqualTo("08003");
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** A clock the test moves by hand, so a lease can expire without waiting for it. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
