package io.integrationhub.edge;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** With HUB_MANAGEMENT_PORT set, health and metrics are served there only; the API and its contract stay public. */
class ManagementPortTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path data;

    @Test
    void healthAndMetricsMoveToTheManagementPort() throws Exception {
        int management = TestHub.freePort();
        try (TestHub hub = TestHub.start(data, Map.of("hub.management-port", String.valueOf(management)))) {
            assertThat(get(management, "/observe/health").statusCode()).isEqualTo(200);
            assertThat(get(management, "/observe/health/live").statusCode()).isEqualTo(200);
            assertThat(get(management, "/observe/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(management, "/observe/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("# TYPE");

            for (String path : new String[] {"/observe/health", "/observe/health/ready", "/observe/metrics"}) {
                HttpResponse<String> publicAnswer = get(hub.port(), path);
                assertThat(publicAnswer.statusCode()).as(path + " on the public port").isEqualTo(404);
                assertThat(publicAnswer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
                assertThat(Json.parse(publicAnswer.body()).path("status").asInt()).isEqualTo(404);
            }
            assertThat(get(hub.port(), "/openapi.json").statusCode()).isEqualTo(200);
            HttpResponse<String> notThere = get(management, "/api/v1/messages");
            assertThat(notThere.statusCode()).isEqualTo(404);
            assertThat(notThere.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(hub.get("/api/v1/messages").statusCode()).isEqualTo(200);
        }
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(20))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
