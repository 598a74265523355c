package io.integrationhub.bench;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.integrationhub.testing.TestHub;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.util.Statistics;

/**
 * What {@code direct:send-email} and {@code direct:send-sms} cost a route over a bare {@code direct:} route (JMH,
 * one caller): the message read and validated, the provider's guard (throttle, circuit breaker) and the console
 * provider's answer. The console provider's log line is muted (its work, not the hub's), and its rate is raised so
 * that the throttle is measured, not waited for.
 * <p>
 * {@code java -cp <test classpath> io.integrationhub.bench.SendOverheadBenchmark} prints p50 and p99 of each and the
 * overhead over the bare route.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx512m"})
public class SendOverheadBenchmark {

    static final Map<String, Object> EMAIL = Map.of("to", List.of("ann@example.com"), "subject", "Order 42",
            "text", "Thanks for your order.");
    static final Map<String, Object> SMS = Map.of("to", "+14155552671", "body", "Your code is 123456");

    private TestHub hub;
    private ProducerTemplate producer;

    @Setup
    public void start() throws Exception {
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.integrationhub"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        hub = TestHub.start(Files.createTempDirectory("hub-jmh"), Map.of("sms.provider", "console",
                "email.console.rate", "10000000", "sms.console.rate", "10000000"));
        // a lambda: a RouteBuilder class here would be found by the hub's package scan and started in every hub
        RouteBuilder.addRoutes(hub.context(), routes -> routes.from("direct:bench-bare").routeId("bench-bare")
                .setBody(routes.constant(Map.of("status", "sent"))));
        producer = hub.producer();
    }

    @TearDown
    public void stop() {
        hub.close();
    }

    @Benchmark
    public Object bareDirectRoute() {
        return producer.requestBody("direct:bench-bare", EMAIL);
    }

    @Benchmark
    public Object sendEmail() {
        return producer.requestBody("direct:send-email", EMAIL);
    }

    @Benchmark
    public Object sendSms() {
        return producer.requestBody("direct:send-sms", SMS);
    }

    public static void main(String[] args) throws Exception {
        var options = new OptionsBuilder().include(SendOverheadBenchmark.class.getName()).build();
        Map<String, Statistics> results = new java.util.TreeMap<>();
        for (RunResult run : new Runner(options).run()) {
            String name = run.getParams().getBenchmark();
            results.put(name.substring(name.lastIndexOf('.') + 1), run.getPrimaryResult().getStatistics());
        }
        Statistics bare = results.get("bareDirectRoute");
        System.out.printf("%n%-34s %10s %10s %14s%n", "JMH, one caller (microseconds)", "p50", "p99", "p50 over bare");
        List<String> order = new ArrayList<>(List.of("bareDirectRoute", "sendEmail", "sendSms"));
        for (String name : order) {
            Statistics s = results.get(name);
            System.out.printf("%-34s %10.1f %10.1f %14s%n", switch (name) {
                case "bareDirectRoute" -> "bare direct: route";
                case "sendEmail" -> "direct:send-email (console)";
                default -> "direct:send-sms (console)";
            }, s.getPercentile(50), s.getPercentile(99), name.equals("bareDirectRoute") ? ""
                    : String.format("+%.1f", s.getPercentile(50) - bare.getPercentile(50)));
        }
    }
}
