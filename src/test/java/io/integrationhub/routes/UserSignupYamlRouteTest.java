package io.integrationhub.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import io.integrationhub.HubMain;
import io.integrationhub.outbox.Outbox;
import io.integrationhub.outbox.OutboxMessage;
import io.integrationhub.testing.FreePortFunction;
import io.integrationhub.testing.Json;
import org.apache.camel.BeanInject;
import org.apache.camel.CamelContext;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shipped example integration, {@code routes/user-signup.camel.yaml}, loaded by the real Main with the project's
 * application.properties, called over HTTP as an app would: it renders the welcome template and sends it through
 * {@code direct:send-email}. A YAML file in routes/ that does not load makes this test (and the build) fail.
 */
@CamelMainTest(mainClass = HubMain.class, propertyPlaceholderLocations = HubMain.PROPERTY_LOCATIONS, properties = {
        "db.url=jdbc:sqlite:" + UserSignupYamlRouteTest.STORE + "/hub.db",
        // a free port, the same one the test calls (FreePortFunction)
        "hub.port={{free-port:" + UserSignupYamlRouteTest.PORT + "}}",
        "hub.admin-key=" + UserSignupYamlRouteTest.KEY,
        "email.provider=console"})
// one hub for the class (each test's requests are its own): a hub per test took 8 s of the build each
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class UserSignupYamlRouteTest {

    /** The store of this test's hub (a file: the embedded store is SQLite), new on every run. */
    static final String STORE = "target/yaml-route-test";

    static {
        // before the hub starts: a store left by an earlier run (of older migrations, say) is not this run's
        try (var files = java.nio.file.Files.walk(java.nio.file.Path.of(STORE))) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (java.io.IOException none) {
            // nothing left from before
        }
    }

    static final String KEY = "yaml-route-test-admin-key";
    static final String PORT = "yaml-route-test";
    private static final URI EVENT = URI.create("http://localhost:" + FreePortFunction.port(PORT)
            + "/api/v1/events/user-signed-up");

    @BeanInject
    CamelContext context;

    @Test
    void sendsTheWelcomeTemplateToTheNewUser() throws Exception {
        assertThat(context.getRoute("user-signed-up-welcome-email")).isNotNull();

        HttpResponse<String> response = post("{\"email\": \"ann@example.com\", \"name\": \"Ann\"}", KEY);

        // durable: accepted into the outbox at once, then sent by the hub
        assertThat(response.statusCode()).isEqualTo(202);
        String id = Json.parse(response.body()).get("id").asText();
        assertThat(Json.parse(response.body()).get("statusUrl").asText()).isEqualTo("/api/v1/messages/" + id);
        Outbox outbox = context.getRegistry().lookupByNameAndType("outbox", Outbox.class);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> outbox.find(id).map(OutboxMessage::status).orElse(""), OutboxMessage.SENT::equals);
        OutboxMessage sent = outbox.find(id).orElseThrow();
        assertThat(sent.provider()).isEqualTo("email-console");
        // the welcome template, rendered for the new user, to the new user
        var email = Json.parse(sent.payload());
        assertThat(email.get("to").get(0).get("address").asText()).isEqualTo("ann@example.com");
        assertThat(email.get("subject").asText()).isEqualTo("Welcome to Acme, Ann!");
        assertThat(email.get("text").asText()).startsWith("Hi Ann,");
        assertThat(email.get("html").asText()).contains("<p>Hi Ann,</p>");

        // and the event user.signed-up, for the routes that subscribe to it, once however often the app repeats it
        var events = context.getRegistry().lookupByNameAndType(io.integrationhub.webhooks.WebhookEvents.BEAN,
                io.integrationhub.webhooks.WebhookEvents.class).list("app", "user.signed-up", null, 100, 0);
        assertThat(events).anySatisfy(event -> assertThat(event.eventId()).isEqualTo(id));
    }

    @Test
    void answersUnprocessableNamingTheFieldWhenTheEventHasNoEmail() throws Exception {
        HttpResponse<String> response = post("{\"name\": \"Ann\"}", KEY);

        assertThat(response.statusCode()).isEqualTo(422);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(Json.parse(response.body()).get("errors").findValuesAsText("field")).containsExactly("to");
    }

    @Test
    void needsAnApiKeyLikeEveryRouteUnderApi() throws Exception {
        assertThat(post("{\"email\": \"ann@example.com\", \"name\": \"Ann\"}", "wrong-key").statusCode()).isEqualTo(401);
    }

    @Test
    void theSameIdempotencyKeySendsOnceAndAnswersTheSame() throws Exception {
        String event = "{\"email\": \"bo@example.com\", \"name\": \"Bo\"}";
        HttpResponse<String> first = post(event, KEY, "Idempotency-Key", "signup-bo");
        HttpResponse<String> again = post(event, KEY, "Idempotency-Key", "signup-bo");
        HttpResponse<String> other = post(event, KEY, "Idempotency-Key", "signup-bo-2");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(Json.parse(other.body()).get("id").asText()).isNotEqualTo(Json.parse(first.body()).get("id").asText());
    }

    @Test
    void refusesWhatIsNotOneStrictJsonObjectWithBadRequest() throws Exception {
        for (String body : new String[] {"", "[1]", "\"text\"", "{\"email\": \"a@example.com\"} trailing",
                "{\"email\": \"a@example.com\", \"email\": \"b@example.com\"}", "[".repeat(2000)}) {
            HttpResponse<String> response = post(body, KEY);
            assertThat(response.statusCode()).as(body.length() > 40 ? body.substring(0, 40) : body).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    private static HttpResponse<String> post(String json, String key, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(EVENT)
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
