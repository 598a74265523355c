package io.integrationhub.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;

/**
 * Prints the figures of the foundation: time from start to ready, and enqueue-to-sent latency with the console
 * provider (from the outbox's own createdAt and sentAt), for one client at a time and for 8 concurrent clients.
 * Not a test: run it in a JVM of its own with
 * {@code mvn -q test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test "-Dexec.args=-cp %classpath io.integrationhub.bench.LatencyProbe 500"}
 */
public final class LatencyProbe {

    private LatencyProbe() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        Path data = Files.createTempDirectory("hub-probe");
        long t0 = System.nanoTime();
        try (TestHub hub = TestHub.start(data, Map.of())) {
            CURRENT = hub;
            while (hub.get("/observe/health/ready").statusCode() != 200) {
                TestHub.sleep(10);
            }
            System.out.printf("start to ready: %d ms (Camel Main start, store migration, HTTP server)%n",
                    Duration.ofNanos(System.nanoTime() - t0).toMillis());
            warmUp(hub);
            report("1 client ", run(hub, messages, 1));
            report("8 clients", run(hub, messages, 8));
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void warmUp(TestHub hub) throws Exception {
        List<String> ids = run(hub, 200, 4).ids;
        hub.awaitStatus(ids.get(ids.size() - 1), OutboxMessage.SENT, Duration.ofSeconds(60));
    }

    record Run(List<String> ids, long wallNanos) {
    }

    private static Run run(TestHub hub, int count, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            futures.add(pool.submit(() -> Json.parse(hub.post("/api/v1/email",
                    "{\"to\":\"user" + n + "@example.com\",\"subject\":\"probe " + n + "\",\"text\":\"hello\"}").body())
                    .get("id").asText()));
        }
        List<String> ids = new ArrayList<>();
        for (Future<String> f : futures) {
            ids.add(f.get());
        }
        pool.shutdown();
        for (String id : ids) {
            hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(120));
        }
        return new Run(ids, System.nanoTime() - start);
    }

    private static void report(String label, Run run) {
        // latency as the hub recorded it: created (committed) to sent (committed)
        List<Long> micros = new ArrayList<>();
        TestHubLookup lookup = new TestHubLookup();
        for (String id : run.ids) {
            micros.add(lookup.latencyMicros(id));
        }
        Collections.sort(micros);
        System.out.printf("%s: %d emails accepted and sent in %d ms (%.0f/s); enqueue-to-sent p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                label, run.ids.size(), run.wallNanos / 1_000_000, run.ids.size() * 1e9 / run.wallNanos,
                pct(micros, 50), pct(micros, 95), pct(micros, 99), micros.get(micros.size() - 1) / 1000.0);
    }

    private static double pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1000.0;
    }

    /** Reads createdAt/sentAt of a message from the running hub's outbox. */
    private static final class TestHubLookup {
        long latencyMicros(String id) {
            OutboxMessage m = CURRENT.outbox().find(id).orElseThrow();
            return Duration.between(m.createdAt(), m.sentAt()).toNanos() / 1000;
        }
    }

    private static TestHub CURRENT;
}
