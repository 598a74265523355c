package io.integrationhub.integrations;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * YAML integrations reloaded through the real Main while the hub runs: new, changed and removed files take effect
 * within 2 s; a file that does not load (bad YAML, an unknown endpoint, an unknown bean) is reported with its line
 * while its previous version keeps answering; rapid saves end in the last version.
 */
class RouteFilesReloadTest {

    @TempDir
    static Path data;
    @TempDir
    static Path routes;
    private static TestHub hub;

    @BeforeAll
    static void start() throws Exception {
        // a file that does not load at start is reported; the hub and the other files start
        Files.writeString(routes.resolve("broken-at-start.camel.yaml"), """
                - route:
                    id: broken-at-start
                    from:
                      uri: platform-http:/broken-at-start
                      steps:
                        - to: nosuchcomponent:x
                """);
        Files.writeString(routes.resolve("fine-at-start.camel.yaml"), answering("fine-at-start", "/fine-at-start", "fine"));
        hub = TestHub.start(data, Map.of("hub.routes-dir", routes.toString()));
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
    }

    private static String answering(String id, String path, String answer) {
        return """
                - route:
                    id: %s
                    from:
                      uri: platform-http:%s
                      steps:
                        - setBody:
                            constant: "%s"
                """.formatted(id, path, answer);
    }

    private static String answer(String path) {
        var response = hub.get(path);
        return response.statusCode() + " " + response.body();
    }

    private static JsonNode file(String name) {
        var response = hub.get("/api/v1/integrations");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode file : Json.parse(response.body()).get("files")) {
            if (file.get("file").asText().equals(name)) {
                return file;
            }
        }
        return null;
    }

    @Test
    void aFileThatDoesNotLoadAtStartIsReportedAndTheOthersRun() {
        assertThat(answer("/fine-at-start")).isEqualTo("200 fine");
        JsonNode broken = file("broken-at-start.camel.yaml");
        assertThat(broken.get("status").asText()).isEqualTo("failed");
        assertThat(broken.get("error").asText()).contains("nosuchcomponent");
        assertThat(broken.get("line").asInt()).isEqualTo(6);
        assertThat(broken.get("routes")).isEmpty();
        assertThat(hub.context().getRoute("broken-at-start")).isNull();
        // ready only once the files are loaded; a file that failed does not make the hub unready
        var health = hub.get("/observe/health?data=true");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"name\":\"route-files\"").contains("failed to load");
    }

    @Test
    void newChangedAndRemovedFilesTakeEffectWithinTwoSeconds() throws Exception {
        Path file = routes.resolve("greeting.camel.yaml");
        Files.writeString(file, answering("greeting", "/greeting", "hello"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> answer("/greeting").equals("200 hello"));
        JsonNode loaded = file("greeting.camel.yaml");
        assertThat(loaded.get("status").asText()).isEqualTo("loaded");
        assertThat(loaded.get("routes").get(0).get("id").asText()).isEqualTo("greeting");
        assertThat(loaded.get("routes").get(0).get("state").asText()).isEqualTo("Started");
        assertThat(loaded.get("routes").get(0).get("from").asText()).startsWith("platform-http:").endsWith("/greeting");

        Files.writeString(file, answering("greeting", "/greeting", "hello again"));
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> answer("/greeting").equals("200 hello again"));

        Files.delete(file);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> answer("/greeting").startsWith("404"));
        // the route's HTTP consumer stops before the route is removed from the context
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> hub.context().getRoute("greeting") == null && file("greeting.camel.yaml") == null);
    }

    @Test
    void aBrokenChangeIsReportedWithItsLineWhileThePreviousVersionKeepsAnswering() throws Exception {
        Path file = routes.resolve("orders.camel.yaml");
        Files.writeString(file, answering("orders", "/orders", "v1"));
        await().atMost(Duration.ofSeconds(2)).until(() -> answer("/orders").equals("200 v1"));

        Map<String, Integer> brokenVersions = Map.of(
                // not YAML: an unclosed quote on line 6
                """
                - route:
                    id: orders
                    from:
                      uri: platform-http:/orders
                      steps:
                        - setBody: { constant: "v2 }
                """, 6,
                // an endpoint no component serves, on line 6
                """
                - route:
                    id: orders
                    from:
                      uri: platform-http:/orders
                      steps:
                        - to: nosuchcomponent:orders
                """, 6,
                // a bean that is not in the registry, on line 6
                """
                - route:
                    id: orders
                    from:
                      uri: platform-http:/orders
                      steps:
                        - bean:
                            ref: noSuchBean
                """, 6);
        for (Map.Entry<String, Integer> broken : brokenVersions.entrySet()) {
            String changedBefore = file("orders.camel.yaml").path("changedAt").asText();
            Files.writeString(file, broken.getKey());
            await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                    .until(() -> !file("orders.camel.yaml").path("changedAt").asText().equals(changedBefore));
            JsonNode failed = file("orders.camel.yaml");
            assertThat(failed.get("status").asText()).as(broken.getKey()).isEqualTo("failed");
            assertThat(failed.get("line").asInt()).as(failed.toString()).isEqualTo(broken.getValue());
            assertThat(failed.get("error").asText()).isNotBlank();
            // the previous version answers, and the file shows it running
            assertThat(answer("/orders")).isEqualTo("200 v1");
            assertThat(failed.get("routes").get(0).get("id").asText()).isEqualTo("orders");
            assertThat(failed.get("routes").get(0).get("state").asText()).isEqualTo("Started");
        }

        Files.writeString(file, answering("orders", "/orders", "v3"));
        await().atMost(Duration.ofSeconds(2)).until(() -> answer("/orders").equals("200 v3"));
        assertThat(file("orders.camel.yaml").get("status").asText()).isEqualTo("loaded");
        assertThat(file("orders.camel.yaml").get("error").isNull()).isTrue();
    }

    @Test
    void twentyRapidSavesEndInTheLastVersionWithNoRouteHalfStarted() throws Exception {
        Path file = routes.resolve("counter.camel.yaml");
        for (int i = 1; i <= 20; i++) {
            // each version has its own second route, so a leftover of an earlier one would show
            Files.writeString(file, answering("counter", "/counter", "v" + i)
                    + answering("counter-extra-" + i, "/counter-extra-" + i, "extra").replace("- route:", "- route:"));
            Thread.sleep(30);
        }
        await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> answer("/counter").equals("200 v20"));
        await().atMost(Duration.ofSeconds(2)).until(() -> file("counter.camel.yaml").get("routes").size() == 2);
        JsonNode loaded = file("counter.camel.yaml");
        assertThat(loaded.get("status").asText()).isEqualTo("loaded");
        List<String> ids = loaded.get("routes").findValuesAsText("id");
        assertThat(ids).containsExactlyInAnyOrder("counter", "counter-extra-20");
        assertThat(loaded.get("routes").findValuesAsText("state")).containsOnly("Started");
        // nothing of the earlier versions is left in the hub
        assertThat(hub.context().getRoutes()).noneMatch(route -> route.getRouteId().startsWith("counter-extra-")
                && !route.getRouteId().equals("counter-extra-20"));
        assertThat(answer("/counter-extra-19")).startsWith("404");
    }

    @Test
    void aReloadedRestApiIsInTheOpenApiDocumentAndLeavesItWhenRemoved() throws Exception {
        Path file = routes.resolve("partners.camel.yaml");
        Files.writeString(file, """
                - rest:
                    path: /api/v1/partners
                    get:
                      - id: rest-partners-list
                        path: /list
                        to: direct:partners-list
                - route:
                    id: partners-list
                    from:
                      uri: direct:partners-list
                      steps:
                        - setBody: { constant: "[]" }
                """);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> hub.request("GET", "/api/v1/partners/list", TestHub.ADMIN, null).body().equals("[]"));
        assertThat(hub.get("/openapi.json").body()).contains("/api/v1/partners/list");

        Files.delete(file);
        await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(50))
                .until(() -> hub.request("GET", "/api/v1/partners/list", TestHub.ADMIN, null).statusCode() == 404);
        assertThat(hub.get("/openapi.json").body()).doesNotContain("/api/v1/partners");
    }

    @Test
    void theIntegrationsApiIsForAdminKeysOnly() {
        var app = hub.createKey("some-app", "sender");
        var response = hub.request("GET", "/api/v1/integrations", TestHub.bearer(app.get("key").asText()), null);
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(hub.request("GET", "/api/v1/integrations", null, null).statusCode()).isEqualTo(401);
    }
}
