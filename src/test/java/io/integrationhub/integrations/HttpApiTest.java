package io.integrationhub.integrations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.integrationhub.delivery.PermanentDeliveryException;
import io.integrationhub.delivery.ProviderUnavailableException;
import io.integrationhub.delivery.TransientDeliveryException;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.apache.camel.CamelExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * {@code http-api:<name>} from YAML routes against WireMock: bearer, API-key header and basic authentication from
 * variables; the JSON answer on the body; 4xx refused at once; 429 with Retry-After and 5xx retried; the breaker opens
 * after repeated failures, shows in /observe/health, and its metrics in /observe/metrics.
 */
class HttpApiTest {

    @TempDir
    static Path data;
    @TempDir
    static Path routes;
    private static WireMockServer api;
    private static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        api = FakeTwilio.start();
        String base = "http://localhost:" + api.port();
        Files.writeString(routes.resolve("apis.camel.yaml"), """
                - route:
                    id: crm-upsert
                    from:
                      uri: direct:crm-upsert
                      steps:
                        - to:
                            uri: http-api:crm
                            parameters:
                              baseUrl: "%1$s/v1"
                              path: /contacts
                              auth: bearer
                              tokenVariable: CRM_TOKEN
                              retries: 3
                              backoffMs: 50
                - route:
                    id: analytics-capture
                    from:
                      uri: direct:analytics-capture
                      steps:
                        - to:
                            uri: http-api:analytics
                            parameters:
                              baseUrl: "%1$s"
                              path: /capture
                              auth: header
                              authHeader: X-Api-Key
                              tokenVariable: ANALYTICS_KEY
                - route:
                    id: erp-order
                    from:
                      uri: direct:erp-order
                      steps:
                        - to:
                            uri: http-api:erp
                            parameters:
                              baseUrl: "%1$s"
                              path: /orders
                              auth: basic
                              usernameVariable: ERP_USER
                              tokenVariable: ERP_PASSWORD
                - route:
                    id: flaky-call
                    from:
                      uri: direct:flaky-call
                      steps:
                        - to:
                            uri: http-api:flaky
                            parameters:
                              baseUrl: "%1$s"
                              path: /flaky
                              retries: 0
                              minimumNumberOfCalls: 4
                              failureRateThreshold: 50
                              openSeconds: 60
                """.formatted(base));
        Map<String, String> settings = new HashMap<>();
        settings.put("hub.routes-dir", routes.toString());
        settings.put("CRM_TOKEN", "crm-token-not-a-secret");
        settings.put("ANALYTICS_KEY", "analytics-key-not-a-secret");
        settings.put("ERP_USER", "hub");
        settings.put("ERP_PASSWORD", "erp-password-not-a-secret");
        hub = TestHub.start(data, settings);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        api.stop();
    }

    @BeforeEach
    void reset() {
        api.resetAll();
    }

    private static Object call(String route, Object body) {
        return hub.producer().requestBody("direct:" + route, body);
    }

    private static Throwable failure(String route, Object body) {
        Throwable thrown = catchThrowable(() -> call(route, body));
        return thrown instanceof CamelExecutionException wrapped ? wrapped.getCause() : thrown;
    }

    @Test
    void eachAuthenticationIsSentAndTheJsonAnswerIsOnTheBody() {
        api.stubFor(post(urlPathEqualTo("/v1/contacts")).withHeader("Authorization", equalTo("Bearer crm-token-not-a-secret"))
                .withRequestBody(equalToJson("{\"email\": \"ann@example.com\"}"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"id\": \"c_1\", \"created\": true}")));
        api.stubFor(post(urlPathEqualTo("/capture")).withHeader("X-Api-Key", equalTo("analytics-key-not-a-secret"))
                .willReturn(aResponse().withStatus(200).withBody("{\"status\": 1}")));
        api.stubFor(post(urlPathEqualTo("/orders")).withBasicAuth("hub", "erp-password-not-a-secret")
                .willReturn(aResponse().withStatus(201).withBody("[{\"order\": 7}]")));

        assertThat(call("crm-upsert", Map.of("email", "ann@example.com"))).isEqualTo(Map.of("id", "c_1", "created", true));
        assertThat(call("analytics-capture", "{\"event\": \"paid\"}")).isEqualTo(Map.of("status", 1));
        assertThat(call("erp-order", Map.of("sku", "A-1"))).isEqualTo(List.of(Map.of("order", 7)));
    }

    @Test
    void aClientErrorIsRefusedAtOnce() {
        api.stubFor(post(urlPathEqualTo("/v1/contacts")).willReturn(aResponse().withStatus(422)
                .withBody("{\"error\": \"email is invalid\"}")));

        Throwable thrown = failure("crm-upsert", Map.of("email", "nope"));
        assertThat(thrown).isInstanceOf(PermanentDeliveryException.class).hasMessageContaining("HTTP 422")
                .hasMessageContaining("email is invalid");
        api.verify(1, anyRequestedFor(anyUrl()));
    }

    @Test
    void tooManyRequestsWaitsForRetryAfterAndServerErrorsAreRetriedWithBackoff() {
        api.stubFor(post(urlPathEqualTo("/v1/contacts")).inScenario("busy").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1")).willSetStateTo("503"));
        api.stubFor(post(urlPathEqualTo("/v1/contacts")).inScenario("busy").whenScenarioStateIs("503")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        api.stubFor(post(urlPathEqualTo("/v1/contacts")).inScenario("busy").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("{\"id\": \"c_2\"}")));

        long start = System.nanoTime();
        assertThat(call("crm-upsert", Map.of("email", "bo@example.com"))).isEqualTo(Map.of("id", "c_2"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        api.verify(3, postRequestedFor(urlPathEqualTo("/v1/contacts")));
    }

    @Test
    void aServerThatKeepsFailingOpensTheBreakerWhichShowsInHealthAndMetrics() {
        api.stubFor(post(urlPathEqualTo("/flaky")).willReturn(aResponse().withStatus(500)));

        for (int i = 0; i < 4; i++) {
            assertThat(failure("flaky-call", Map.of("n", i))).isInstanceOf(TransientDeliveryException.class);
        }
        // open: the API is no longer called
        assertThat(failure("flaky-call", Map.of("n", 5))).isInstanceOf(ProviderUnavailableException.class);
        api.verify(4, postRequestedFor(urlPathEqualTo("/flaky")));

        var health = hub.get("/observe/health?data=true");
        JsonNode breakers = null;
        for (JsonNode check : Json.parse(health.body()).get("checks")) {
            if (check.get("name").asText().equals("circuit-breakers")) {
                breakers = check.get("data");
            }
        }
        assertThat(breakers).isNotNull();
        assertThat(breakers.get("http-flaky").asText()).isEqualTo("OPEN");
        assertThat(hub.get("/observe/metrics").body())
                .contains("resilience4j_circuitbreaker_state{")
                .containsPattern("resilience4j_circuitbreaker_state\\{[^}]*name=\"http-flaky\"[^}]*state=\"open\"[^}]*\\} 1.0")
                .contains("routeId=\"http-flaky\"");
        // the integrations API lists it with the built-in providers
        var integrations = Json.parse(hub.get("/api/v1/integrations").body());
        assertThat(integrations.get("providers").findValuesAsText("provider")).contains("http-flaky", "http-crm");
    }

    @Test
    void aMissingCredentialIsARefusalNamingTheVariable() throws Exception {
        Path file = routes.resolve("no-token.camel.yaml");
        Files.writeString(file, """
                - route:
                    id: no-token
                    from:
                      uri: direct:no-token
                      steps:
                        - to:
                            uri: http-api:no-token
                            parameters:
                              baseUrl: "http://localhost:%d"
                              auth: bearer
                              tokenVariable: NO_SUCH_TOKEN_VARIABLE
                """.formatted(api.port()));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3))
                .until(() -> hub.context().getRoute("no-token") != null);
        assertThat(failure("no-token", Map.of())).isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("NO_SUCH_TOKEN_VARIABLE is not set");
        api.verify(0, anyRequestedFor(anyUrl()));
    }
}
