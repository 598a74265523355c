package io.integrationhub.api;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.integrationhub.testing.TestHub;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /openapi.json}, generated from the routes (Java and YAML), is a complete OpenAPI 3 contract: the swagger
 * parser finds nothing wrong, and what redocly's recommended rules check holds for every operation.
 */
class OpenApiContractTest {

    @TempDir
    static Path data;

    private static TestHub hub;
    private static OpenAPI api;

    @BeforeAll
    static void startHub() throws Exception {
        hub = TestHub.start(data, Map.of("sms.provider", "console", "sms.default-region", "US"));
        HttpResponse<String> response = hub.request("GET", "/openapi.json", null, null);
        assertThat(response.statusCode()).isEqualTo(200);
        Files.writeString(Path.of("target", "openapi.json"), response.body());
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(response.body(), null, options);
        assertThat(result.getMessages()).as("parser messages").isEmpty();
        api = result.getOpenAPI();
        assertThat(api).isNotNull();
    }

    @AfterAll
    static void stopHub() {
        if (hub != null) {
            hub.close();
        }
    }

    private static List<Map.Entry<String, Operation>> operations() {
        List<Map.Entry<String, Operation>> operations = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap()
                .forEach((method, op) -> operations.add(Map.entry(method + " " + path, op))));
        return operations;
    }

    @Test
    void everyRouteIsDescribed() {
        assertThat(api.getPaths().keySet()).contains("/api/v1/email", "/api/v1/email/batch", "/api/v1/sms",
                "/api/v1/sms/batch", "/api/v1/messages", "/api/v1/messages/{id}", "/api/v1/messages/{id}/retry",
                "/api/v1/keys", "/api/v1/keys/{id}", "/api/v1/keys/{id}/rotate", "/api/v1/events/user-signed-up",
                "/api/v1/payments/charges", "/api/v1/payments/charges/{id}", "/api/v1/payments/customers",
                "/api/v1/payments/checkout-sessions", "/api/v1/payments/portal-sessions", "/api/v1/payments/refunds",
                "/api/v1/payments/subscriptions/{id}/cancel");
        assertThat(api.getServers()).isNotEmpty();
        assertThat(api.getServers().get(0).getUrl()).doesNotContain("0.0.0.0");
        assertThat(api.getTags()).allMatch(tag -> tag.getDescription() != null, "every tag has a description");
    }

    @Test
    void theServerIsTheConfiguredPublicUrlWhenThereIsOne() throws Exception {
        String generated = hub.request("GET", "/openapi.json", null, null).body();
        String completed = new OpenApiDocument("https://hub.example.com/").complete(generated);
        OpenAPI withPublicUrl = new OpenAPIV3Parser().readContents(completed, null, new ParseOptions()).getOpenAPI();
        assertThat(withPublicUrl.getServers().get(0).getUrl()).isEqualTo("https://hub.example.com");
        assertThat(api.getServers().get(0).getUrl()).isEqualTo("/");
    }

    @Test
    void everyOperationHasAnIdASummaryAndDescribedResponses() {
        List<String> ids = new ArrayList<>();
        for (var entry : operations()) {
            Operation op = entry.getValue();
            String name = entry.getKey();
            assertThat(op.getOperationId()).as(name + " operationId").isNotBlank();
            ids.add(op.getOperationId());
            assertThat(op.getSummary() != null || op.getDescription() != null).as(name + " summary").isTrue();
            assertThat(op.getResponses()).as(name + " responses").isNotEmpty();
            assertThat(op.getResponses().keySet()).as(name + " a 2xx").anyMatch(code -> code.startsWith("2"));
            assertThat(op.getResponses().keySet()).as(name + " a 4xx").anyMatch(code -> code.startsWith("4"));
            op.getResponses().forEach((code, response) -> {
                assertThat(response.getDescription()).as(name + " " + code + " description").isNotBlank();
                if (code.startsWith("4") || code.startsWith("5")) {
                    assertProblem(name + " " + code, response);
                }
            });
        }
        assertThat(ids).doesNotHaveDuplicates();
    }

    private static void assertProblem(String name, ApiResponse response) {
        assertThat(response.getContent()).as(name + " content").containsOnlyKeys("application/problem+json");
        MediaType media = response.getContent().get("application/problem+json");
        assertThat(media.getSchema().get$ref()).as(name + " schema").endsWith("/Problem");
    }

    @Test
    void theProblemSchemaHasTheRfc9457FieldsAndFieldErrors() {
        var problem = api.getComponents().getSchemas().get("Problem");
        assertThat(problem.getProperties()).containsKeys("type", "title", "status", "detail", "errors");
        assertThat(api.getComponents().getSchemas().get("FieldError").getProperties()).containsKeys("field", "message");
    }

    @Test
    void everyApiOperationNeedsTheBearerKey() {
        var scheme = api.getComponents().getSecuritySchemes().get(ApiDocs.BEARER);
        assertThat(scheme).isNotNull();
        assertThat(scheme.getType().toString()).isEqualTo("http");
        assertThat(scheme.getScheme()).isEqualTo("bearer");
        for (var entry : operations()) {
            if (entry.getKey().contains(" /api/")) {
                assertThat(entry.getValue().getSecurity()).as(entry.getKey() + " security")
                        .anyMatch(requirement -> requirement.containsKey(ApiDocs.BEARER));
                assertThat(entry.getValue().getResponses()).as(entry.getKey()).containsKey("401");
            }
        }
    }

    @Test
    void theWebhookEndpointIsDescribedWithoutAnApiKey() {
        var receive = api.getPaths().get("/webhooks/{source}").getPost();
        assertThat(receive.getSecurity()).isEmpty();
        assertThat(receive.getResponses()).containsKeys("200", "400", "404", "413", "415", "503");
        assertThat(api.getTags()).anyMatch(tag -> tag.getName().equals("webhooks"));
    }

    @Test
    void everySendingPostTakesAnIdempotencyKey() {
        for (var entry : operations()) {
            String name = entry.getKey();
            // key management answers secrets, never replays them; a retry is idempotent by itself (409 when repeated);
            // a connection test sends nothing and changes nothing
            if (name.startsWith("POST /api/") && !name.contains("/keys") && !name.endsWith("/retry")
                    && !name.endsWith("/test")) {
                assertThat(entry.getValue().getParameters()).as(name + " Idempotency-Key")
                        .anyMatch(p -> "header".equals(p.getIn()) && Idempotency.HEADER.equals(p.getName()));
            }
        }
    }

    @Test
    void requestBodiesAndParametersAreDescribed() {
        PathItem email = api.getPaths().get("/api/v1/email");
        assertThat(email.getPost().getRequestBody().getContent().get("application/json").getSchema().get$ref())
                .endsWith("/Email");
        assertThat(api.getPaths().get("/api/v1/sms/batch").getPost().getRequestBody().getContent()
                .get("application/json").getSchema().get$ref()).endsWith("/SmsBatch");
        assertThat(api.getPaths().get("/api/v1/keys").getPost().getRequestBody().getContent()
                .get("application/json").getSchema().get$ref()).endsWith("/KeyRequest");
        assertThat(email.getPost().getResponses().get("202").getContent().get("application/json").getSchema()
                .get$ref()).endsWith("/Accepted");
        assertThat(api.getPaths().get("/api/v1/messages").getGet().getParameters()).extracting(Parameter::getName)
                .contains("status", "channel", "limit", "offset");
        assertThat(api.getPaths().get("/api/v1/keys/{id}/rotate").getPost().getParameters())
                .extracting(Parameter::getName).contains("id", "graceSeconds");
        assertThat(api.getPaths().get("/api/v1/keys/{id}").getDelete().getResponses()).containsKey("204");
        assertThat(api.getPaths().get("/api/v1/keys").getPost().getResponses()).containsKeys("201", "403", "409");
        assertThat(email.getPost().getResponses().get("503").getHeaders()).containsKey("Retry-After");
        assertThat(email.getPost().getResponses().get("401").getHeaders()).containsKey("WWW-Authenticate");
    }
}
