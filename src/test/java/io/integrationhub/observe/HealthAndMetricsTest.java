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
            // a breaker for each configured provider (the console defaults of both channels), and none for the rest
            assertThat(circuits).isEqualTo("email-console=CLOSED, sms-console=CLOSED");
            assertThat(hub.get("/observe/health/live").statusCode()).isEqualTo(200);
            assertThat(hub.get("/observe/health/ready").statusCode()).isEqualTo(200);

            var metrics = hub.get("/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body())
                    .contains("camel_exchanges_total{")
                    .contains("routeId=\"outbox-deliver-email\"")
                    .contains("routeId=\"email-console\"")
                    .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"email-console\"")
                    .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"sms-console\"")
                    .doesNotContainPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"email-sendgrid\"");

            var openapi = hub.send(java.net.http.HttpRequest.newBuilder(hub.uri("/openapi.json")).GET().build());
            assertThat(openapi.statusCode()).isEqualTo(200);
            assertThat(Json.parse(openapi.body()).get("paths").has("/api/v1/email")).isTrue();
        }
    }
}
