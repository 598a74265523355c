package io.integrationhub.email;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.Json;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.testing.TestHub;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** SMTP through camel-mail against GreenMail: the real message arrives as the API described it. */
class SmtpEmailTest {

    @RegisterExtension
    static final GreenMailExtension GREENMAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @TempDir
    Path data;

    @Test
    void deliversFromToCcSubjectAndBothPartsWhileBccGetsItWithoutHeader() throws Exception {
        try (TestHub hub = TestHub.start(data, Map.of("email.provider", "smtp",
                "smtp.port", String.valueOf(GREENMAIL.getSmtp().getPort())))) {
            var response = hub.post("/api/v1/email", """
                    {"from": "Shop <shop@example.com>", "to": ["ann@example.com", "Bob Smith <bob@example.com>"],
                     "cc": "carol@example.com", "bcc": ["dave@example.com"], "replyTo": "help@example.com",
                     "subject": "Your order", "text": "Plain body", "html": "<p>HTML body</p>"}""");
            assertThat(response.statusCode()).isEqualTo(202);
            String id = Json.parse(response.body()).get("id").asText();

            OutboxMessage sent = hub.awaitStatus(id, OutboxMessage.SENT, Duration.ofSeconds(20));
            assertThat(sent.provider()).isEqualTo("email-smtp");
            assertThat(sent.attempts()).isEqualTo(1);

            // one copy per recipient, Bcc included
            MimeMessage[] received = GREENMAIL.getReceivedMessages();
            assertThat(received).hasSize(4);
            MimeMessage mail = received[0];
            assertThat(mail.getFrom()[0].toString()).isEqualTo("Shop <shop@example.com>");
            assertThat(Arrays.stream(mail.getRecipients(Message.RecipientType.TO)).map(Object::toString))
                    .containsExactly("ann@example.com", "Bob Smith <bob@example.com>");
            assertThat(Arrays.stream(mail.getRecipients(Message.RecipientType.CC)).map(Object::toString))
                    .containsExactly("carol@example.com");
            assertThat(mail.getReplyTo()[0].toString()).isEqualTo("help@example.com");
            assertThat(mail.getSubject()).isEqualTo("Your order");
            assertThat(mail.getHeader("Bcc")).isNull();
            for (MimeMessage copy : received) {
                assertThat(copy.getHeader("Bcc")).isNull();
            }
            // the fourth copy went to the Bcc address, which no header of any copy names
            for (MimeMessage copy : received) {
                assertThat(java.util.Collections.list(copy.getAllHeaderLines())).noneMatch(h -> h.contains("dave@"));
            }

            assertThat(mail.getContentType()).startsWith("multipart/alternative");
            Multipart parts = (Multipart) mail.getContent();
            assertThat(parts.getCount()).isEqualTo(2);
            assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
            assertThat(parts.getBodyPart(0).getContent().toString().trim()).isEqualTo("Plain body");
            assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");
            assertThat(parts.getBodyPart(1).getContent().toString().trim()).isEqualTo("<p>HTML body</p>");
            // no header of the hub's own leaks into the mail
            assertThat(mail.getHeader("Authorization")).isNull();
            assertThat(mail.getHeader("hubEmail")).isNull();
        }
    }

    @Test
    void rendersTemplateThroughDirectSendEmail() throws Exception {
        try (TestHub hub = TestHub.start(data, Map.of("email.provider", "smtp",
                "smtp.port", String.valueOf(GREENMAIL.getSmtp().getPort())))) {
            Object result = hub.producer().requestBody("direct:send-email",
                    Map.of("to", "erin@example.com", "template", "welcome", "data", Map.of("name", "Erin <3")));
            assertThat(result).hasFieldOrPropertyWithValue("provider", "email-smtp");
            MimeMessage mail = GREENMAIL.getReceivedMessages()[0];
            assertThat(mail.getSubject()).isEqualTo("Welcome to Acme, Erin <3!");
            Multipart parts = (Multipart) mail.getContent();
            assertThat(parts.getBodyPart(0).getContent().toString()).contains("Hi Erin <3,");
            assertThat(parts.getBodyPart(1).getContent().toString()).contains("Hi Erin &lt;3,");
        }
    }

    @Test
    void sameIdempotencyKeyThroughDirectSendEmailSendsOnceAndAnswersTheSame() throws Exception {
        try (TestHub hub = TestHub.start(data, Map.of("email.provider", "smtp",
                "smtp.port", String.valueOf(GREENMAIL.getSmtp().getPort())))) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
            java.util.List<java.util.concurrent.Future<Object>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    var done = hub.producer().request("direct:send-email", e -> {
                        e.setProperty(ChannelRoutes.IDEMPOTENCY_KEY, "welcome-erin");
                        e.getMessage().setBody(Map.of("to", "erin@example.com", "subject", "Once", "text", "only once"));
                    });
                    return done.getException() != null ? done.getException() : done.getMessage().getBody();
                }));
            }
            // each concurrent send either got the result or was told the key is busy (409 with Retry-After)
            java.util.Set<Object> distinct = new java.util.HashSet<>();
            int busy = 0;
            for (var result : results) {
                Object answer = result.get(60, java.util.concurrent.TimeUnit.SECONDS);
                if (answer instanceof io.integrationhub.delivery.DeliveryResult) {
                    distinct.add(answer);
                } else {
                    assertThat(answer).isInstanceOfSatisfying(io.integrationhub.api.ApiProblem.class, p -> {
                        assertThat(p.status()).isEqualTo(409);
                        assertThat(p.retryAfter()).isNotNull();
                    });
                    busy++;
                }
            }
            pool.shutdown();
            assertThat(distinct).hasSize(1);
            assertThat(distinct.size() + busy).isEqualTo(8);
            assertThat(GREENMAIL.getReceivedMessages()).hasSize(1);
            // once the first completed, the same key answers with its result
            Object replay = hub.producer().request("direct:send-email", e -> {
                e.setProperty(ChannelRoutes.IDEMPOTENCY_KEY, "welcome-erin");
                e.getMessage().setBody(Map.of("to", "erin@example.com", "subject", "Once", "text", "only once"));
            }).getMessage().getBody();
            assertThat(replay).isEqualTo(distinct.iterator().next());
            assertThat(GREENMAIL.getReceivedMessages()).hasSize(1);

            var other = hub.producer().request("direct:send-email", e -> {
                e.setProperty(ChannelRoutes.IDEMPOTENCY_KEY, "welcome-erin");
                e.getMessage().setBody(Map.of("to", "erin@example.com", "subject", "Another", "text", "different"));
            });
            assertThat(other.getException()).isInstanceOf(io.integrationhub.api.ApiProblem.class)
                    .hasMessageContaining("different request");
            assertThat(GREENMAIL.getReceivedMessages()).hasSize(1);
        }
    }

    @Test
    void withStartTlsOnCredentialsNeverGoToAServerThatDoesNotOfferIt() {
        // GreenMail's plain SMTP does not offer STARTTLS: the hub must refuse to log in rather than fall back
        try (TestHub hub = TestHub.start(data, Map.of("email.provider", "smtp",
                "smtp.port", String.valueOf(GREENMAIL.getSmtp().getPort()), "smtp.starttls", "true",
                "smtp.username", "hub", "smtp.password", "smtp-secret-value", "delivery.retry-schedule", "none"))) {
            var response = hub.post("/api/v1/email", "{\"to\": \"ann@example.com\", \"subject\": \"s\", \"text\": \"t\"}");
            String id = Json.parse(response.body()).get("id").asText();
            OutboxMessage dead = hub.awaitStatus(id, OutboxMessage.DEAD, Duration.ofSeconds(20));
            assertThat(dead.lastError()).containsIgnoringCase("STARTTLS").doesNotContain("smtp-secret-value");
            assertThat(GREENMAIL.getReceivedMessages()).isEmpty();
        }
    }
}
