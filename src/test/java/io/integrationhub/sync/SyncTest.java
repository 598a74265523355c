package io.integrationhub.sync;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import io.integrationhub.testing.BothStores;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sync:<name>} from YAML: a paged API (cursor and page paging, WireMock) read on a schedule, each record to
 * the route, one bad record counted while the run goes on, every run recorded and shown by the integrations API;
 * two hubs on one PostgreSQL never run the same sync at once.
 */
class SyncTest {

    @TempDir
    Path data;
    @TempDir
    Path routes;
    private WireMockServer api;

    @BeforeEach
    void startApi() {
        api = FakeTwilio.start();
    }

    @AfterEach
    void stopApi() {
        api.stop();
    }

    private void contactsInThreeCursorPages(int delayMillis) {
        api.stubFor(get(urlPathEqualTo("/contacts")).withQueryParam("limit", equalTo("3")).withQueryParam("cursor", absent())
                .withHeader("Authorization", equalTo("Bearer sync-token-not-a-secret"))
                .willReturn(aResponse().withFixedDelay(delayMillis).withHeader("Content-Type", "application/json").withBody("""
                        {"data": [{"id": "r1"}, {"id": "r2"}, {"id": "r3"}], "next_cursor": "c2"}""")));
        api.stubFor(get(urlPathEqualTo("/contacts")).withQueryParam("cursor", equalTo("c2"))
                .willReturn(aResponse().withFixedDelay(delayMillis).withBody("""
                        {"data": [{"id": "r4"}, {"id": "bad"}, {"id": "r6"}], "next_cursor": "c3"}""")));
        api.stubFor(get(urlPathEqualTo("/contacts")).withQueryParam("cursor", equalTo("c3"))
                .willReturn(aResponse().withFixedDelay(delayMillis).withBody("""
                        {"data": [{"id": "r7"}], "next_cursor": null}""")));
    }

    private void contactsSync(long delayMillis) throws Exception {
        Files.writeString(routes.resolve("contacts-sync.camel.yaml"), """
                - route:
                    id: contacts-sync
                    from:
                      uri: sync:contacts
                      parameters:
                        baseUrl: "http://localhost:%d"
                        path: /contacts
                        pageSize: 3
                        auth: bearer
                        tokenVariable: SYNC_TOKEN
                        delay: %d
                        initialDelay: 100
                        leaseSeconds: 5
                      steps:
                        - choice:
                            when:
                              - simple: "${body[id]} == 'bad'"
                                steps:
                                  - throwException:
                                      exceptionType: java.lang.IllegalArgumentException
                                      message: "this record cannot be upserted"
                        - to: seda:synced-contacts?size=10000
                """.formatted(api.port(), delayMillis));
    }

    private Map<String, String> settings(String dbUrl) {
        Map<String, String> settings = new HashMap<>();
        settings.put("hub.routes-dir", routes.toString());
        settings.put("SYNC_TOKEN", "sync-token-not-a-secret");
        if (dbUrl != null) {
            settings.put("db.url", dbUrl);
        }
        return settings;
    }

    @Test
    void threeCursorPagesGoToTheRouteRecordByRecordAndOneBadRecordDoesNotStopTheRun() throws Exception {
        contactsInThreeCursorPages(0);
        contactsSync(3_600_000);
        try (TestHub hub = TestHub.start(data, settings(null))) {
            List<String> synced = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Object record = hub.context().createConsumerTemplate().receiveBody("seda:synced-contacts?size=10000", 100);
                if (record != null) {
                    synced.add(String.valueOf(((Map<?, ?>) record).get("id")));
                }
                return synced.size() == 6;
            });
            assertThat(synced).containsExactly("r1", "r2", "r3", "r4", "r6", "r7");

            await().atMost(Duration.ofSeconds(5)).until(() -> lastRun(hub) != null
                    && "finished".equals(lastRun(hub).get("status").asText()));
            JsonNode run = lastRun(hub);
            assertThat(run.get("total").asInt()).isEqualTo(7);
            assertThat(run.get("synced").asInt()).isEqualTo(6);
            assertThat(run.get("errors").asInt()).isEqualTo(1);
            assertThat(Instant.parse(run.get("finishedAt").asText())).isAfterOrEqualTo(Instant.parse(run.get("startedAt").asText()));
        }
    }

    @Test
    void pagePagingStopsAtTheFirstShortPage() throws Exception {
        api.stubFor(get(urlPathEqualTo("/items")).withQueryParam("page", equalTo("1"))
                .willReturn(aResponse().withBody("[{\"sku\": \"a\"}, {\"sku\": \"b\"}]")));
        api.stubFor(get(urlPathEqualTo("/items")).withQueryParam("page", equalTo("2"))
                .willReturn(aResponse().withBody("[{\"sku\": \"c\"}, {\"sku\": \"d\"}]")));
        api.stubFor(get(urlPathEqualTo("/items")).withQueryParam("page", equalTo("3"))
                .willReturn(aResponse().withBody("[{\"sku\": \"e\"}]")));
        Files.writeString(routes.resolve("items-sync.camel.yaml"), """
                - route:
                    id: items-sync
                    from:
                      uri: sync:items
                      parameters:
                        baseUrl: "http://localhost:%d"
                        path: /items
                        paging: page
                        pageSize: 2
                        pageSizeParam: per_page
                        itemsField: ""
                        initialDelay: 100
                      steps:
                        - to: seda:synced-items
                """.formatted(api.port()));
        try (TestHub hub = TestHub.start(data, settings(null))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> lastRun(hub, "items") != null
                    && "finished".equals(lastRun(hub, "items").get("status").asText()));
            assertThat(lastRun(hub, "items").get("total").asInt()).isEqualTo(5);
            assertThat(lastRun(hub, "items").get("synced").asInt()).isEqualTo(5);
            assertThat(api.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(urlPathEqualTo("/items"))
                    .withQueryParam("per_page", equalTo("2")))).hasSize(3);
        }
    }

    @Test
    void twoHubsOnOnePostgresNeverRunTheSameSyncAtOnce(@TempDir Path dataB) throws Exception {
        // each run takes three slow pages; both hubs try every 100 ms
        contactsInThreeCursorPages(250);
        contactsSync(100);
        String db = BothStores.newDatabase(BothStores.Backend.POSTGRES, data);
        try (TestHub hubA = TestHub.start(data, settings(db)); TestHub hubB = TestHub.start(dataB, settings(db))) {
            await().atMost(Duration.ofSeconds(20)).until(() -> finishedRuns(hubA).size() >= 4);
            List<JsonNode> runs = finishedRuns(hubA);
            for (int i = 0; i < runs.size(); i++) {
                for (int j = i + 1; j < runs.size(); j++) {
                    Instant aStart = Instant.parse(runs.get(i).get("startedAt").asText());
                    Instant aEnd = Instant.parse(runs.get(i).get("finishedAt").asText());
                    Instant bStart = Instant.parse(runs.get(j).get("startedAt").asText());
                    Instant bEnd = Instant.parse(runs.get(j).get("finishedAt").asText());
                    assertThat(aEnd.isBefore(bStart) || bEnd.isBefore(aStart) || aEnd.equals(bStart) || bEnd.equals(aStart))
                            .as("runs %s and %s overlap", runs.get(i), runs.get(j)).isTrue();
                }
            }
            for (JsonNode run : runs) {
                assertThat(run.get("total").asInt()).isEqualTo(7);
            }
        }
    }

    private static JsonNode lastRun(TestHub hub) {
        return lastRun(hub, "contacts");
    }

    private static JsonNode lastRun(TestHub hub, String name) {
        var response = hub.get("/api/v1/integrations");
        for (JsonNode sync : Json.parse(response.body()).get("syncs")) {
            if (sync.get("name").asText().equals(name)) {
                return sync.get("lastRun").isNull() ? null : sync.get("lastRun");
            }
        }
        return null;
    }

    private static List<JsonNode> finishedRuns(TestHub hub) {
        List<JsonNode> runs = new ArrayList<>();
        for (JsonNode sync : Json.parse(hub.get("/api/v1/integrations").body()).get("syncs")) {
            for (JsonNode run : sync.get("runs")) {
                if ("finished".equals(run.get("status").asText())) {
                    runs.add(run);
                }
            }
        }
        return runs;
    }
}
