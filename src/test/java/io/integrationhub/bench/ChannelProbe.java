package io.integrationhub.bench;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;

/**
 * Prints the figures of the channel machinery, in one run on one machine:
 * <ol>
 * <li>time from start to ready;</li>
 * <li>enqueue-to-sent latency (the outbox's own createdAt to sentAt) for email and SMS with the console providers,
 * at 1 and at 8 concurrent HTTP clients;</li>
 * <li>the drain rate of a backlog through an HTTP provider that fails a share of calls transiently (503), as a ratio
 * to the same backlog through the same provider without faults: what retries in the outbox cost healthy traffic.</li>
 * </ol>
 * Not a test: run it in a JVM of its own with
 * {@code mvn -q test-compile exec:exec -Dexec.executable=java -Dexec.classpathScope=test "-Dexec.args=-cp %classpath io.integrationhub.bench.ChannelProbe 500 2000"}
 * (messages per latency row, messages per drain run).
 */
public final class ChannelProbe {

    private ChannelProbe() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int backlog = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        // the figures, not a log line per message
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.integrationhub"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        try {
            latency(messages);
            // three rounds, each fault-free run beside its faulty ones; the median ratio of the rounds is reported
            List<Double> shareRatios = new ArrayList<>();
            List<Double> randomRatios = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                double clean = drain(backlog, 0.0, false);
                randomRatios.add(drain(backlog, 0.3, false) / clean);
                shareRatios.add(drain(backlog, 0.3, true) / clean);
            }
            Collections.sort(shareRatios);
            Collections.sort(randomRatios);
            double failingShare = shareRatios.get(1);
            double randomFaults = randomRatios.get(1);
            double clean = 1.0;
            System.out.printf("drain ratios per round: healthy messages %s, all messages %s%n", shareRatios, randomRatios);
            System.out.printf("drain of healthy messages while 30%% of the provider's calls fail transiently: %.2f of the "
                    + "fault-free rate (30%% of messages to recipients the provider keeps failing; target >= 0.8)%n",
                    failingShare / clean);
            System.out.printf("drain of all messages while 30%% of calls fail at random (each failed message retried "
                    + "until it passes, ~1.43 calls per message): %.2f of the fault-free rate%n", randomFaults / clean);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    static void latency(int messages) throws Exception {
        Path data = Files.createTempDirectory("hub-probe");
        long t0 = System.nanoTime();
        try (TestHub hub = TestHub.start(data, Map.of())) {
            while (hub.get("/observe/health/ready").statusCode() != 200) {
                TestHub.sleep(10);
            }
            System.out.printf("start to ready: %d ms (Camel Main start, store migration, HTTP server)%n",
                    Duration.ofNanos(System.nanoTime() - t0).toMillis());
            run(hub, "email", 200, 4);
            run(hub, "sms", 200, 4);
            for (String channel : List.of("email", "sms")) {
                for (int clients : new int[] {1, 8}) {
                    report(hub, channel, clients, run(hub, channel, messages, clients));
                }
            }
        }
    }

    record Run(List<String> ids, long wallNanos) {
    }

    private static Run run(TestHub hub, String channel, int count, int clients) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        List<Future<String>> futures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = i;
            futures.add(pool.submit(() -> Json.parse(hub.post("/api/v1/" + channel, body(channel, n)).body())
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

    private static String body(String channel, int n) {
        return channel.equals("email")
                ? "{\"to\":\"user" + n + "@example.com\",\"subject\":\"probe " + n + "\",\"text\":\"hello\"}"
                : "{\"to\":\"+14155552671\",\"body\":\"probe " + n + "\"}";
    }

    private static void report(TestHub hub, String channel, int clients, Run run) {
        List<Long> micros = new ArrayList<>();
        for (String id : run.ids) {
            OutboxMessage m = hub.outbox().find(id).orElseThrow();
            micros.add(Duration.between(m.createdAt(), m.sentAt()).toNanos() / 1000);
        }
        Collections.sort(micros);
        System.out.printf("%-5s %d client(s): %d accepted and sent in %d ms (%.0f/s); enqueue-to-sent p50 %.1f ms, "
                        + "p95 %.1f ms, p99 %.1f ms, max %.1f ms%n", channel, clients, run.ids.size(),
                run.wallNanos / 1_000_000, run.ids.size() * 1e9 / run.wallNanos, pct(micros, 50), pct(micros, 95),
                pct(micros, 99), micros.get(micros.size() - 1) / 1000.0);
    }

    /**
     * Accepts a backlog of emails in batches of 100 to a SendGrid stand-in that answers after 5 ms and fails a share
     * of calls with 503: either calls at random, or ({@code failingRecipients}) every call for that share of the
     * messages, whose recipients it keeps failing. Returns the healthy messages sent per second, from the first
     * accept to the last healthy message sent (with random failures every message is healthy: it passes in the end).
     */
    private static double drain(int backlog, double failureShare, boolean failingRecipients) throws Exception {
        Random random = new Random(42);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.setExecutor(Executors.newFixedThreadPool(8));
        provider.createContext("/v3/mail/send", exchange -> {
            String request = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            calls.incrementAndGet();
            sleep(5);
            boolean fail;
            if (failingRecipients) {
                fail = request.contains("failing.example");
            } else {
                synchronized (random) {
                    fail = random.nextDouble() < failureShare;
                }
            }
            if (fail) {
                failures.incrementAndGet();
            }
            exchange.getResponseHeaders().add("X-Message-Id", "probe-" + calls.get());
            exchange.sendResponseHeaders(fail ? 503 : 202, -1);
            exchange.close();
        });
        provider.start();
        Path data = Files.createTempDirectory("hub-drain");
        try (TestHub hub = TestHub.start(data, Map.of(
                "email.provider", "sendgrid",
                "sendgrid.base-url", "http://127.0.0.1:" + provider.getAddress().getPort(),
                "sendgrid.api-key", "probe-key-not-a-secret",
                "email.sendgrid.rate", "100000",
                // random failures: retried soon, until they pass; failing recipients: the default schedule's shape
                "email.retry-schedule", failingRecipients ? "1s, 5s, 30s"
                        : "100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms, 100ms",
                // 30% failures are a degraded provider, not one to cut off: the breaker stays closed
                "breaker.email-sendgrid.failure-rate-threshold", "95"))) {
            long start = System.nanoTime();
            List<String> healthy = new ArrayList<>();
            for (int sent = 0; sent < backlog; sent += 100) {
                StringBuilder batch = new StringBuilder("{\"messages\":[");
                List<Boolean> failing = new ArrayList<>();
                for (int i = sent; i < Math.min(backlog, sent + 100); i++) {
                    boolean bad = failingRecipients && random.nextDouble() < failureShare;
                    failing.add(bad);
                    batch.append(i == sent ? "" : ",").append(bad
                            ? "{\"to\":\"user" + i + "@failing.example\",\"subject\":\"probe\",\"text\":\"hello\"}"
                            : body("email", i));
                }
                JsonNode answer = Json.parse(hub.post("/api/v1/email/batch", batch.append("]}").toString()).body());
                for (int i = 0; i < failing.size(); i++) {
                    if (!failing.get(i)) {
                        healthy.add(answer.get("results").get(i).get("id").asText());
                    }
                }
            }
            for (String id : healthy) {
                hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(300));
            }
            long nanos = System.nanoTime() - start;
            double rate = healthy.size() * 1e9 / nanos;
            System.out.printf("drain, %s: %d healthy emails sent in %d ms (%.0f/s); %d provider calls, %d failed%n",
                    failureShare == 0 ? "no faults" : failingRecipients ? "30% of messages failing"
                            : "30% of calls failing at random", healthy.size(), nanos / 1_000_000, rate, calls.get(),
                    failures.get());
            return rate;
        } finally {
            provider.stop(0);
        }
    }

    private static double pct(List<Long> sorted, int p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1)) / 1000.0;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
