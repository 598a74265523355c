package io.integrationhub.outbox;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.ProviderStubs;
import io.integrationhub.testing.TestHub;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A slow provider makes a claimed batch outlast its lease: the messages still waiting for a worker are claimed again
 * by the other hub. The first claim must then not send them too: every email reaches the provider exactly once.
 */
class LeaseExpiryTest {

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    @Test
    void aClaimWhoseLeaseRanOutDoesNotSendWhatAnotherHubReclaimed() throws Exception {
        WireMockServer sendgrid = ProviderStubs.start();
        sendgrid.stubFor(post(urlEqualTo("/v3/mail/send")).willReturn(aResponse().withStatus(202)
                .withHeader("X-Message-Id", "sg").withFixedDelay(1000)));
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start()) {
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE leasetest");
            }
            Map<String, String> settings = new HashMap<>();
            settings.put("db.url", postgres.getJdbcUrl("postgres", "leasetest"));
            settings.put("email.provider", "sendgrid");
            settings.put("sendgrid.base-url", "http://localhost:" + sendgrid.port());
            settings.put("sendgrid.api-key", "test-sendgrid-key");
            // a batch of 10 on 2 workers at 1 s a send takes 5 s: longer than the 3 s lease
            settings.put("outbox.lease-seconds", "3");
            settings.put("outbox.batch-size", "10");
            settings.put("outbox.workers", "2");
            Map<String, String> ids = new HashMap<>();
            try (TestHub a = TestHub.start(dataA, settings)) {
                for (int i = 0; i < 10; i++) {
                    var accepted = a.post("/api/v1/email", "{\"to\":\"a@example.com\",\"subject\":\"s-" + i + "\",\"text\":\"t\"}");
                    assertThat(accepted.statusCode()).isEqualTo(202);
                    ids.put(Json.parse(accepted.body()).get("id").asText(), "s-" + i);
                }
                TestHub.sleep(500);
                try (TestHub b = TestHub.start(dataB, settings)) {
                    for (String id : ids.keySet()) {
                        b.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(40));
                    }
                }
            }
            Map<String, Integer> sends = new TreeMap<>();
            for (LoggedRequest request : sendgrid.findAll(postRequestedFor(urlEqualTo("/v3/mail/send")))) {
                sends.merge(Json.parse(request.getBodyAsString()).get("subject").asText(), 1, Integer::sum);
            }
            assertThat(sends).hasSize(10).allSatisfy((subject, count) -> assertThat(count).as(subject).isEqualTo(1));
        } finally {
            sendgrid.stop();
        }
    }
}
