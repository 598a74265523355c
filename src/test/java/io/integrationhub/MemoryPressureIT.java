package io.integrationhub;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.integrationhub.testing.JarHub;
import io.integrationhub.testing.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged hub with a small heap ({@code -Xmx256m}) under large messages: 8 clients each post 60 emails of
 * 1,000,000 characters (within the documented limits) at once. Nothing is answered 500: each email is either
 * accepted (202) or refused with 503 and Retry-After (the memory budget for bodies in flight); every accepted one is
 * sent; the store stays usable, and afterwards a small email is accepted and sent at once.
 */
class MemoryPressureIT {

    private static final int CLIENTS = 8;
    private static final int PER_CLIENT = 60;
    private static final int CHARACTERS = 1_000_000;

    @Test
    void largeEmailsFromManyClientsOnASmallHeapAreTakenOrRefusedWith503AndTheHubGoesOn(@TempDir Path folder,
            @TempDir Path logs) throws Exception {
        try (JarHub hub = JarHub.start(folder, logs, "256m", Map.of("HUB_METRICS_QUEUE_REFRESH_MS", "500"))) {
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            ConcurrentLinkedQueue<String> accepted = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
            ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
            long started = System.nanoTime();
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    running.add(clients.submit(() -> {
                        // text that does not compress: each client its own letters
                        Random random = new Random(client);
                        char[] text = new char[CHARACTERS];
                        for (int i = 0; i < text.length; i++) {
                            text[i] = (char) ('a' + random.nextInt(26));
                        }
                        String body = "{\"to\":\"ann@example.com\",\"subject\":\"Large " + client + "\",\"text\":\""
                                + new String(text) + "\"}";
                        for (int i = 0; i < PER_CLIENT; i++) {
                            HttpResponse<String> response = hub.post("/api/v1/email", body);
                            statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                            if (response.statusCode() == 202) {
                                accepted.add(Json.parse(response.body()).get("id").asText());
                            } else if (response.statusCode() != 503
                                    || response.headers().firstValue("Retry-After").isEmpty()
                                    || !response.body().contains("\"status\":503")) {
                                unexpected.add(response.statusCode() + " " + response.headers().map() + " "
                                        + response.body());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> client : running) {
                    client.get(10, TimeUnit.MINUTES);
                }
            } finally {
                clients.shutdownNow();
            }
            System.out.printf("%d large emails from %d clients in %d ms: %s%n", CLIENTS * PER_CLIENT, CLIENTS,
                    Duration.ofNanos(System.nanoTime() - started).toMillis(), statuses);

            assertThat(unexpected).as("answers other than 202, or 503 with Retry-After; log:%n%s", hub.logText()).isEmpty();
            assertThat(accepted).as("some of the large emails are taken").isNotEmpty();
            // every accepted email is sent: the last one accepted, and then none left to deliver as the outbox's
            // metrics count them (refreshed every 500 ms here)
            List<String> ids = new ArrayList<>(accepted);
            hub.awaitSent(ids.get(ids.size() - 1), Duration.ofSeconds(120));
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(hub.get("/observe/metrics").body())
                            .contains("hub_outbox_messages{channel=\"email\",status=\"queued\"} 0.0")
                            .contains("hub_outbox_messages{channel=\"email\",status=\"failed\"} 0.0")
                            .contains("hub_outbox_messages{channel=\"email\",status=\"sending\"} 0.0")
                            .contains("hub_outbox_messages{channel=\"email\",status=\"dead\"} 0.0"));
            for (String id : List.of(ids.get(0), ids.get(ids.size() / 2))) {
                assertThat(Json.parse(hub.get("/api/v1/messages/" + id).body()).get("status").asText()).isEqualTo("sent");
            }
            assertThat(hub.status("/observe/health/ready")).isEqualTo(200);

            HttpResponse<String> small = hub.post("/api/v1/email", "{\"to\":\"ann@example.com\",\"subject\":\"s\",\"text\":\"t\"}");
            assertThat(small.statusCode()).as(small.body()).isEqualTo(202);
            hub.awaitSent(Json.parse(small.body()).get("id").asText(), Duration.ofSeconds(30));
            assertThat(hub.log()).doesNotContain("OutOfMemoryError");
        }
    }
}
