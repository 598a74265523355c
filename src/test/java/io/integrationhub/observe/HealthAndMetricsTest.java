package io.integrationhub.observe;

import java.nio.file.Path;
import java.util.Map;

import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** /observe/health (live and ready) names the store and every provider's circuit; /observe/metrics is Prometheus. */
class HealthAndMetricsTest {

    @TempDir
    Path data;

    @Test
    void healthReportsStoreAndCircuitStatesAndMetricsArePerRouteAndPerProvider() throws Exception {
        try (TestHub hub = TestHub.start(data, Map.of())) {
            assertThat(hub.post("/api/v1/email", "{\"to\":\"a@example.com\",\"subject\":\"s\",\"text\":\"t\"}")
                    .statusCode()).isEqualTo(202);

            var health = hub.get("/observe/health");
            assertThat(health.statusCode()).isEqualTo(200);
            var checks = Json.parse(health.body()).get("checks");
            assertThat(checks.findValuesAsText("name")).contains("store", "circuit-breakers");
            String circuits = null;
            for (var check : checks) {
                if (check.get("name").asText().equals("circuit-breakers")) {
                    circuits = check.path("message").asText();
                }
            }
            // a breaker for each configured provider (the console defaults, the payments mock), and none for the rest
            assertThat(circuits).isEqualTo("email-console=CLOSED, payments-mock=CLOSED, sms-console=CLOSED");
            assertThat(hub.get("/observe/health/live").statusCode()).isEqualTo(200);
            assertThat(hub.get("/observe/health/ready").statusCode()).isEqualTo(200);

            var metrics = hub.get("/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("camel_exchanges_total{")
                    .contains("routeId=\"outbox-deliver-email\"")
                    .contains("routeId=\"api-email-send\"")
                    // the inner steps of a delivery are left out: the worker's route and the provider's breaker count it
                    .doesNotContain("routeId=\"outbox-email\"")
                    .doesNotContain("routeId=\"email-console\"")
                    .doesNotContain("routeId=\"guard-email-console\"")
                    .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"email-console\"")
                    .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"sms-console\"")
                    .doesNotContainPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"email-sendgrid\"");

            // what curl and most scrapers ask for, and what Prometheus asks for; a type it cannot give is 406
            for (String accept : new String[] {"text/plain", "text/plain;q=0.9, */*;q=0.1", "*/*", "text/*",
                    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                            + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"}) {
                var asked = hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/observe/metrics"))
                        .header("Accept", accept).GET().build());
                assertThat(asked.statusCode()).as(accept).isEqualTo(200);
                assertThat(asked.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
                assertThat(asked.body()).contains("camel_exchanges_total{");
            }
            assertThat(hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/observe/metrics"))
                    .header("Accept", "application/json").GET().build()).statusCode()).isEqualTo(406);

            var openapi = hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/openapi.json")).GET().build());
            assertThat(openapi.statusCode()).isEqualTo(200);
            assertThat(Json.parse(openapi.body()).get("paths").has("/api/v1/email")).isTrue();
        }
    }

    @Test
    void theOutboxIsMeasuredByChannelAndStatusInWellFormedFamilies(@TempDir Path own) {
        int closedPort = TestHub.freePort();
        try (TestHub hub = TestHub.start(own, Map.of("hub.metrics.queue-refresh-ms", "200",
                "email.provider", "sendgrid", "sendgrid.api-key", "test-key-not-a-secret",
                "sendgrid.base-url", "http://localhost:" + closedPort, "delivery.retry-schedule", "none"))) {
            String id = Json.parse(hub.post("/api/v1/email", "{\"to\":\"a@example.com\",\"subject\":\"s\",\"text\":\"t\"}")
                    .body()).get("id").asText();
            hub.awaitStatus(id, io.integrationhub.outbox.OutboxMessage.DEAD, java.time.Duration.ofSeconds(20));

            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> hub.get("/observe/metrics")
                    .body().contains("hub_outbox_messages{channel=\"email\",status=\"dead\"} 1.0"));
            String metrics = hub.get("/observe/metrics").body();
            assertThat(metrics).contains("hub_outbox_messages{channel=\"sms\",status=\"queued\"} 0.0")
                    .contains("hub_outbox_oldest_undelivered_age_seconds{channel=\"email\"}")
                    // the JVM and the process are measured too
                    .contains("jvm_memory_used_bytes").contains("process_cpu_usage");
            // the hub's own families: each with HELP and TYPE, snake_case names and labels (what promtool checks)
            java.util.Set<String> families = new java.util.TreeSet<>();
            for (String line : metrics.split("\n")) {
                if (line.startsWith("hub_")) {
                    String name = line.substring(0, line.indexOf('{') > 0 ? line.indexOf('{') : line.indexOf(' '));
                    families.add(name);
                    assertThat(name).matches("[a-z_]+");
                    if (line.contains("{")) {
                        for (String label : line.substring(line.indexOf('{') + 1, line.indexOf('}')).split(",")) {
                            assertThat(label.substring(0, label.indexOf('='))).as(line).matches("[a-z_]+");
                        }
                    }
                }
            }
            assertThat(families).containsExactly("hub_outbox_messages", "hub_outbox_oldest_undelivered_age_seconds");
            for (String family : families) {
                assertThat(metrics).contains("# HELP " + family + " ").contains("# TYPE " + family + " gauge");
            }
        }
    }
}
