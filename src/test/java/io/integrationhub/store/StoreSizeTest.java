package io.integrationhub.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded store does not bloat: 10,000 emails accepted, sent and purged by the retention (here at once, as
 * {@code HUB_RETENTION_DAYS=0} does). Throughout, the store file stays within about twice the live data (the pages
 * that hold rows and indexes), its write-ahead log within a few MB, and once everything is purged both come back
 * to nearly nothing.
 */
class StoreSizeTest {

    private static final int MESSAGES = 10_000;
    private static final int BATCH = 100;
    /** Beyond the live data: the store file's own (schema, a page or two per index). */
    private static final long FLOOR = 1024 * 1024;
    /**
     * The write-ahead log between two checkpoints: every commit appends the pages it changed (tens of KB with the
     * outbox's indexes), so under this test's load (about a thousand commits a second) it reaches a few MB before it
     * is copied and cut back. It follows the traffic, not the data.
     */
    private static final long LOG_ALLOWANCE = 24L * 1024 * 1024;

    @TempDir
    Path data;

    @Test
    void tenThousandMessagesSentAndPurgedKeepTheFileNearTheLiveData() throws Exception {
        try (TestHub hub = TestHub.start(data, Map.of("hub.retention-days", "0", "hub.retention-check-ms", "500"))) {
            long peakFile = 0;
            long peakAllowed = Long.MAX_VALUE;
            StringBuilder samples = new StringBuilder();
            for (int sent = 0; sent < MESSAGES; sent += BATCH) {
                StringBuilder batch = new StringBuilder("{\"messages\":[");
                for (int i = 0; i < BATCH; i++) {
                    int n = sent + i;
                    batch.append(i == 0 ? "" : ",").append("{\"to\":\"customer").append(n)
                            .append("@example.com\",\"subject\":\"Your order ").append(n).append("\",\"text\":\"")
                            .append(("Thank you for order " + n + ". ").repeat(25)).append("\"}");
                }
                var accepted = hub.post("/api/v1/email/batch", batch.append("]}").toString());
                assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
                if (sent % 1000 == 0) {
                    long file = fileBytes();
                    // the store file alone, read before the live pages: a checkpoint copies into it only pages of
                    // commits the count below sees (file minus log, read at two moments, could straddle a truncation)
                    long store = size("hub.db");
                    long live = liveBytes(hub);
                    samples.append(String.format("after %d: files %d KB (log %d KB), pages in use %d KB, free %d KB, "
                                    + "content %d KB%n", sent + BATCH, file / 1024, size("hub.db-wal") / 1024, live / 1024,
                            pragma(hub, "freelist_count") * pragma(hub, "page_size") / 1024, contentBytes(hub) / 1024));
                    if (file > peakFile) {
                        peakFile = file;
                    }
                    assertThat(store).as("the store file within about twice the live data:%n%s", samples)
                            .isLessThanOrEqualTo(2 * live + FLOOR);
                    assertThat(size("hub.db-wal")).as("its log:%n%s", samples).isLessThanOrEqualTo(LOG_ALLOWANCE);
                }
            }
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                    .until(() -> count(hub, "SELECT COUNT(*) FROM outbox_messages") == 0);
            // the retention's pass that purged the last of them gives the space back right after
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                    .untilAsserted(() -> assertThat(fileBytes()).isLessThanOrEqualTo(FLOOR));
            System.out.printf("%d emails sent and purged; samples:%n%speak store files %d KB, at the end %d KB%n",
                    MESSAGES, samples, peakFile / 1024, fileBytes() / 1024);
        }
    }

    private long size(String name) throws IOException {
        Path file = data.resolve(name);
        return Files.exists(file) ? Files.size(file) : 0;
    }

    private long fileBytes() throws IOException {
        long total = 0;
        for (String name : new String[] {"hub.db", "hub.db-wal", "hub.db-shm"}) {
            Path file = data.resolve(name);
            if (Files.exists(file)) {
                total += Files.size(file);
            }
        }
        return total;
    }

    /**
     * The live data: the bytes of the store's pages that hold rows and indexes now (what the store would take
     * compacted), as SQLite counts them.
     */
    private static long liveBytes(TestHub hub) {
        return (pragma(hub, "page_count") - pragma(hub, "freelist_count")) * pragma(hub, "page_size");
    }

    /** The content of the messages held now. */
    private static long contentBytes(TestHub hub) {
        return count(hub, "SELECT COALESCE(SUM(LENGTH(payload)), 0) FROM outbox_messages");
    }

    private static long pragma(TestHub hub, String name) {
        return count(hub, "PRAGMA " + name);
    }

    private static long count(TestHub hub, String sql) {
        return hub.store().inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }
}
