import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import io.integrationhub.HubMain;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;

/**
 * The hub's overhead on a mock charge in the JVM: direct:charge-payment (validation, the record before and after the
 * call, the guard's throttle and breaker, the mock provider's own record) against a bare direct: route, one caller,
 * in one hub on its embedded store. Prints p50, p99 and mean of each.
 *
 *   java -cp target/integration-hub.jar bench/DirectChargeBench.java [calls] [warm-up calls]
 */
public class DirectChargeBench {

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        Path data = Files.createTempDirectory("charge-bench");
        Main main = new Main(HubMain.class);
        main.setPropertyPlaceholderLocations(HubMain.PROPERTY_LOCATIONS);
        Map.of("db.url", "jdbc:sqlite:" + data.resolve("hub.db"), "hub.port", "0".equals(System.getenv("PORT")) ? "18181"
                        : System.getenv().getOrDefault("PORT", "18181"),
                "hub.admin-key", "benchmark-admin-key-0123456789", "hub.routes-dir", data.resolve("routes").toString(),
                "hub.templates-dir", data.resolve("templates").toString(), "payment.provider", "mock")
                .forEach(main::addOverrideProperty);
        main.start();
        try {
            CamelContext context = main.getCamelContext();
            RouteBuilder.addRoutes(context, r -> r.from("direct:bench-bare").routeId("bench-bare")
                    .setBody(r.constant("{\"status\":\"succeeded\"}")));
            ProducerTemplate producer = context.createProducerTemplate();
            Map<String, Object> charge = Map.of("amount", 1999, "currency", "usd", "paymentMethod", "pm_card_visa");
            measure(producer, "direct:bench-bare", charge, warmup);
            measure(producer, "direct:charge-payment", charge, warmup);
            long[] bare = measure(producer, "direct:bench-bare", charge, calls);
            long[] charged = measure(producer, "direct:charge-payment", charge, calls);
            System.out.printf("%n%-48s %9s %9s %9s%n", "one caller, " + calls + " calls each", "p50 ms", "p99 ms", "mean ms");
            print("bare direct: route", bare);
            print("direct:charge-payment (mock provider)", charged);
            System.out.printf("direct:charge-payment adds %.3f ms at p50 and %.3f ms at p99 over the bare route%n",
                    (percentile(charged, 50) - percentile(bare, 50)) / 1e6, (percentile(charged, 99) - percentile(bare, 99)) / 1e6);
        } finally {
            main.stop();
        }
    }

    private static long[] measure(ProducerTemplate producer, String uri, Object body, int calls) {
        long[] took = new long[calls];
        for (int i = 0; i < calls; i++) {
            long start = System.nanoTime();
            Exchange done = producer.send(uri, e -> e.getMessage().setBody(body));
            took[i] = System.nanoTime() - start;
            if (done.getException() != null) {
                throw new IllegalStateException(uri + " failed", done.getException());
            }
        }
        Arrays.sort(took);
        return took;
    }

    private static double percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static void print(String name, long[] sorted) {
        System.out.printf("%-48s %9.3f %9.3f %9.3f%n", name, percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6,
                Arrays.stream(sorted).average().orElse(0) / 1e6);
    }
}
