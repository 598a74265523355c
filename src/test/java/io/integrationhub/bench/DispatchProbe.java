package io.integrationhub.bench;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;
import io.integrationhub.testing.TestHub;

/**
 * The dispatcher's figures, for the benchmark suite (bench/all.sh):
 * <ol>
 * <li>enqueue-to-sent p50 and p99 with the console providers at 1 and 8 HTTP clients ({@link ChannelProbe});</li>
 * <li>messages delivered per second by one hub, then by two hubs on one PostgreSQL, through a SendGrid stand-in that
 * answers every call after 50 ms; and how many messages reached it more than once.</li>
 * </ol>
 * {@code java -cp <test classpath> io.integrationhub.bench.DispatchProbe <messages per latency row> <messages per
 * hub run> <jdbc url one hub> <jdbc url two hubs>}; without the URLs only the latency rows are printed.
 */
public final class DispatchProbe {

    private static final Pattern SUBJECT = Pattern.compile("\"subject\"\\s*:\\s*\"(probe-[0-9]+)\"");

    private DispatchProbe() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        int backlog = Integer.parseInt(args[1]);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.integrationhub"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        try {
            ChannelProbe.latency(messages);
            if (args.length > 3) {
                double one = deliver(1, args[2], backlog);
                double two = deliver(2, args[3], backlog);
                System.out.printf("two hubs / one hub on PostgreSQL, 50 ms provider: %.2f times the messages per "
                        + "second (target >= 1.8)%n", two / one);
            }
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    /** Accepts {@code count} emails over {@code hubs} hubs on one database; messages sent per second until the last. */
    private static double deliver(int hubs, String dbUrl, int count) throws Exception {
        Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();
        HttpServer provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.setExecutor(Executors.newFixedThreadPool(64));
        provider.createContext("/v3/mail/send", exchange -> {
            String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Matcher subject = SUBJECT.matcher(request);
            if (subject.find()) {
                calls.computeIfAbsent(subject.group(1), s -> new AtomicInteger()).incrementAndGet();
            }
            total.incrementAndGet();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.getResponseHeaders().add("X-Message-Id", "probe-" + total.get());
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        provider.start();
        List<TestHub> running = new ArrayList<>();
        try {
            for (int h = 0; h < hubs; h++) {
                Map<String, String> settings = new LinkedHashMap<>();
                settings.put("db.url", dbUrl);
                settings.put("email.provider", "sendgrid");
                settings.put("sendgrid.base-url", "http://127.0.0.1:" + provider.getAddress().getPort());
                settings.put("sendgrid.api-key", "probe-key-not-a-secret");
                settings.put("email.sendgrid.rate", "100000");
                running.add(TestHub.start(Files.createTempDirectory("hub-dispatch"), settings));
            }
            long start = System.nanoTime();
            for (int sent = 0, batch = 0; sent < count; sent += 100, batch++) {
                StringBuilder body = new StringBuilder("{\"messages\":[");
                for (int i = sent; i < Math.min(count, sent + 100); i++) {
                    body.append(i == sent ? "" : ",").append("{\"to\":\"user").append(i)
                            .append("@example.com\",\"subject\":\"probe-").append(i).append("\",\"text\":\"hello\"}");
                }
                TestHub hub = running.get(batch % hubs);
                int status = hub.post("/api/v1/email/batch", body.append("]}").toString()).statusCode();
                if (status != 202) {
                    throw new IllegalStateException("batch answered " + status);
                }
            }
            long accepted = System.nanoTime();
            while (calls.size() < count) {
                if (System.nanoTime() - start > 600_000_000_000L) {
                    throw new IllegalStateException("only " + calls.size() + " of " + count + " delivered in 10 min");
                }
                TestHub.sleep(5);
            }
            long nanos = System.nanoTime() - start;
            // what an outcome recorded late could send again shows up here
            TestHub.sleep(1000);
            long twice = calls.values().stream().filter(n -> n.get() > 1).count();
            double rate = count * 1e9 / nanos;
            System.out.printf("%d hub(s) on PostgreSQL, 50 ms provider: %d emails accepted in %d ms, all sent in %d ms: "
                    + "%.0f delivered/s; %d provider calls, %d messages sent more than once%n", hubs, count,
                    (accepted - start) / 1_000_000, nanos / 1_000_000, rate, total.get(), twice);
            return rate;
        } finally {
            for (TestHub hub : running) {
                hub.close();
            }
            provider.stop(0);
        }
    }
}
