package io.integrationhub.integrations;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.integrationhub.testing.FakeTwilio;
import io.integrationhub.testing.Json;
import io.integrationhub.testing.LogCapture;
import io.integrationhub.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code POST /api/v1/integrations/{provider}/test} against WireMock (Twilio, SendGrid, Resend) and GreenMail (SMTP):
 * working credentials, credentials the provider refuses (revoked there), an unreachable provider; never a credential
 * in the answer or the log.
 */
class ConnectionTestsTest {

    private static final String SENDGRID_KEY = "SG.connection-test-key-not-a-secret";
    private static final String RESEND_KEY = "re_connection_test_key_not_a_secret";
    private static final String SMTP_PASSWORD = "smtp-connection-test-password";

    @TempDir
    static Path data;
    private static WireMockServer providers;
    private static GreenMail smtp;
    private static TestHub hub;

    @BeforeAll
    static void start() {
        providers = FakeTwilio.start();
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        smtp.setUser("hub@example.com", "hub", SMTP_PASSWORD);
        Map<String, String> settings = new HashMap<>(FakeTwilio.settings(providers));
        settings.put("sendgrid.base-url", "http://localhost:" + providers.port());
        settings.put("sendgrid.api-key", SENDGRID_KEY);
        settings.put("resend.base-url", "http://localhost:" + providers.port());
        settings.put("resend.api-key", RESEND_KEY);
        settings.put("stripe.base-url", "http://localhost:" + providers.port());
        settings.put("stripe.secret-key", io.integrationhub.testing.FakeStripe.SECRET_KEY);
        settings.put("smtp.host", "localhost");
        settings.put("smtp.port", String.valueOf(smtp.getSmtp().getPort()));
        settings.put("smtp.username", "hub");
        settings.put("smtp.password", SMTP_PASSWORD);
        hub = TestHub.start(data, settings);
    }

    @AfterAll
    static void stop() {
        if (hub != null) {
            hub.close();
        }
        providers.stop();
        smtp.stop();
    }

    @BeforeEach
    void providersTakeTheConfiguredCredentials() {
        providers.resetAll();
        String basic = java.util.Base64.getEncoder().encodeToString(
                (FakeTwilio.ACCOUNT_SID + ":" + FakeTwilio.AUTH_TOKEN).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        providers.stubFor(get(urlPathEqualTo("/2010-04-01/Accounts/" + FakeTwilio.ACCOUNT_SID + ".json"))
                .withHeader("Authorization", equalTo("Basic " + basic))
                .willReturn(aResponse().withStatus(200).withBody("{\"sid\":\"" + FakeTwilio.ACCOUNT_SID + "\"}")));
        providers.stubFor(get(urlPathEqualTo("/v3/scopes")).withHeader("Authorization", equalTo("Bearer " + SENDGRID_KEY))
                .willReturn(aResponse().withStatus(200).withBody("{\"scopes\":[\"mail.send\"]}")));
        providers.stubFor(get(urlPathEqualTo("/domains")).withHeader("Authorization", equalTo("Bearer " + RESEND_KEY))
                .willReturn(aResponse().withStatus(200).withBody("{\"data\":[]}")));
        providers.stubFor(get(urlPathEqualTo("/v1/balance"))
                .withHeader("Authorization", equalTo("Bearer " + io.integrationhub.testing.FakeStripe.SECRET_KEY))
                .willReturn(aResponse().withStatus(200).withBody("{\"object\":\"balance\",\"available\":[]}")));
    }

    private static JsonNode test(String provider) {
        var response = hub.request("POST", "/api/v1/integrations/" + provider + "/test", TestHub.ADMIN, "");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (String secret : new String[] {SENDGRID_KEY, RESEND_KEY, SMTP_PASSWORD, FakeTwilio.AUTH_TOKEN,
                io.integrationhub.testing.FakeStripe.SECRET_KEY}) {
            assertThat(response.body()).doesNotContain(secret);
        }
        return Json.parse(response.body());
    }

    @Test
    void workingCredentialsAreOk() {
        for (String provider : new String[] {"twilio", "sendgrid", "resend", "smtp", "stripe"}) {
            JsonNode outcome = test(provider);
            assertThat(outcome.get("ok").asBoolean()).as(outcome.toString()).isTrue();
            assertThat(outcome.get("result").asText()).isEqualTo("ok");
            assertThat(outcome.get("provider").asText()).isEqualTo(provider);
        }
    }

    @Test
    void credentialsTheProviderRefusesAreReportedAsRefused() {
        try (LogCapture log = LogCapture.attach()) {
            // revoked at the provider: every request is now a 401
            providers.resetAll();
            providers.stubFor(get(com.github.tomakehurst.wiremock.client.WireMock.anyUrl())
                    .willReturn(aResponse().withStatus(401).withBody("{\"message\":\"Authenticate\"}")));
            for (String provider : new String[] {"twilio", "sendgrid", "resend", "stripe"}) {
                JsonNode outcome = test(provider);
                assertThat(outcome.get("ok").asBoolean()).isFalse();
                assertThat(outcome.get("result").asText()).as(outcome.toString()).isEqualTo("refused");
            }
            // the SMTP password changed on the server
            smtp.getUserManager().deleteUser(smtp.getUserManager().getUser("hub"));
            smtp.setUser("hub@example.com", "hub", "another-password");
            try {
                JsonNode outcome = test("smtp");
                assertThat(outcome.get("ok").asBoolean()).isFalse();
                assertThat(outcome.get("result").asText()).as(outcome.toString()).isEqualTo("refused");
            } finally {
                smtp.getUserManager().deleteUser(smtp.getUserManager().getUser("hub"));
                smtp.setUser("hub@example.com", "hub", SMTP_PASSWORD);
            }
            assertThat(log.linesContainingAnyOf(java.util.List.of(SENDGRID_KEY, RESEND_KEY, SMTP_PASSWORD,
                    FakeTwilio.AUTH_TOKEN, io.integrationhub.testing.FakeStripe.SECRET_KEY))).isEmpty();
        }
    }

    @Test
    void anUnknownOrUnconfiguredProviderIsNotFoundAndOnlyAdminsMayTest() {
        var unknown = hub.request("POST", "/api/v1/integrations/nope/test", TestHub.ADMIN, "");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        var app = hub.createKey("connection-test-app", "sender");
        assertThat(hub.request("POST", "/api/v1/integrations/twilio/test", TestHub.bearer(app.get("key").asText()), "")
                .statusCode()).isEqualTo(403);
    }
}
