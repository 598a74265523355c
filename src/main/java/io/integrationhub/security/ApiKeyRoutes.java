package io.integrationhub.security;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.api.ApiDocs;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.JsonBodies;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.RequestParameters;
import io.integrationhub.api.docs.IssuedKey;
import io.integrationhub.api.docs.KeyList;
import io.integrationhub.api.docs.KeyRequest;
import io.integrationhub.store.StoreException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/keys}: list, create, revoke and rotate API keys (admin keys only); and the reload that brings
 * changes made through another hub on the same store into this hub's memory within {@code hub.api-keys.reload-ms}.
 */
public class ApiKeyRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyRoutes.class);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{16}|" + ApiKeys.ENVIRONMENT_KEY_ID);
    private static final long MAX_GRACE_SECONDS = 30L * 24 * 3600;

    @Override
    public void configure() {
        ApiKeys keys = getContext().getRegistry().lookupByNameAndType("apiKeys", ApiKeys.class);

        // keys are checked from memory at the HTTP edge: pick up what other hubs on the same store changed
        from("timer:api-keys-reload?period={{hub.api-keys.reload-ms}}&delay={{hub.api-keys.reload-ms}}")
                .routeId("api-keys-reload")
                .process(e -> {
                    try {
                        keys.reload();
                    } catch (StoreException away) {
                        // the keys in memory keep working; the store monitor has logged the outage
                        LOG.debug("API keys not reloaded: {}", away.getMessage());
                    }
                });

        RestDefinition rest = ApiDocs.bearer(rest("/api/v1/keys").description("API keys (admin)"));
        ApiDocs.answers(rest.get().id("rest-keys-list").produces("application/json").description("Every key, without secrets"),
                200, "The keys", KeyList.class, 401, 403, 503)
                    .to("direct:api-keys-list");
        ApiDocs.answers(rest.post().id("rest-keys-create").consumes("application/json").produces("application/json")
                    .description("Create a key: {\"name\", \"role\": \"sender\"|\"admin\", \"allowedFrom\": [\"example.com\"]}; the key is shown once")
                    .type(KeyRequest.class),
                201, "The key, with its secret (shown only here; Cache-Control: no-store)", IssuedKey.class,
                400, 401, 403, 409, 413, 415, 422, 503)
                    .to("direct:api-keys-create");
        ApiDocs.answers(rest.delete("/{id}").id("rest-keys-revoke").description("Revoke a key at once")
                    .param().name("id").type(RestParamType.path).required(true).dataType("string").description("The key's id").endParam(),
                204, "Revoked", null, 401, 403, 404, 503)
                    .to("direct:api-keys-revoke");
        ApiDocs.answers(rest.post("/{id}/rotate").id("rest-keys-rotate").produces("application/json")
                    .description("New key with the same name and role; the old one works for graceSeconds more (default 86400)")
                    .param().name("id").type(RestParamType.path).required(true).dataType("string").description("The key's id").endParam()
                    .param().name("graceSeconds").type(RestParamType.query).required(false).dataType("integer")
                        .defaultValue("86400").description("How long the old key keeps working, 0 to 2592000 (30 days)").endParam(),
                201, "The new key, with its secret (shown only here; Cache-Control: no-store)", IssuedKey.class,
                400, 401, 403, 404, 409, 503)
                    .to("direct:api-keys-rotate");

        from("direct:api-keys-list").routeId("api-keys-list").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    JsonResponses.respond(e, 200, Map.of("items", keys.list().stream().map(ApiKeyRoutes::view).toList()));
                });

        from("direct:api-keys-create").routeId("api-keys-create").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    JsonNode body = JsonBodies.readObject(e);
                    body.fieldNames().forEachRemaining(f -> {
                        if (!f.equals("name") && !f.equals("role") && !f.equals("allowedFrom")) {
                            throw ApiProblem.badRequest(f, "is not a known field");
                        }
                    });
                    // names are stored trimmed; 'Shop', 'shop' and 'shop ' are one name
                    String name = body.path("name").asText("").strip();
                    if (!body.path("name").isTextual() || !NAME.matcher(name).matches()) {
                        throw ApiProblem.badRequest("name", "is required: 1 to 100 letters, digits, spaces, '.', '_' or '-'");
                    }
                    if (ApiKeys.isReservedName(name)) {
                        throw new ApiProblem(409, "Name reserved", "'" + ApiKeys.ENVIRONMENT_KEY_NAME
                                + "' is the name of the environment's admin key", java.util.List.of(
                                new io.integrationhub.delivery.FieldError("name", "is reserved for the environment's admin key")));
                    }
                    java.util.List<String> allowedFrom = allowedFrom(body.get("allowedFrom"));
                    String role = body.path("role").isMissingNode() ? "sender" : body.path("role").asText("");
                    if (!role.equals("sender") && !role.equals("admin")) {
                        throw ApiProblem.badRequest("role", "must be sender or admin");
                    }
                    // a name is a caller's identity (idempotency scope, messages it may see): one active key each
                    ApiKeys.IssuedKey issued = keys.createWithUniqueName(name, Role.valueOf(role.toUpperCase()), allowedFrom)
                            .orElseThrow(() -> nameInUse(name));
                    respondWithSecret(e, issuedView(issued));
                });

        from("direct:api-keys-revoke").routeId("api-keys-revoke").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    String id = id(e);
                    if (!keys.revoke(id)) {
                        throw ApiProblem.notFound("active key " + id);
                    }
                    JsonResponses.respond(e, 204, null);
                });

        from("direct:api-keys-rotate").routeId("api-keys-rotate").routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> {
                    Callers.requireAdmin(e);
                    String id = id(e);
                    long grace = 86400;
                    String graceParam = RequestParameters.query(e, "graceSeconds").orElse(null);
                    if (graceParam != null) {
                        try {
                            grace = Long.parseLong(graceParam);
                        } catch (NumberFormatException ex) {
                            grace = -1;
                        }
                        if (grace < 0 || grace > MAX_GRACE_SECONDS) {
                            throw ApiProblem.badRequest("graceSeconds", "must be a whole number from 0 to " + MAX_GRACE_SECONDS);
                        }
                    }
                    if (id.equals(ApiKeys.ENVIRONMENT_KEY_ID)) {
                        throw new ApiProblem(409, "Environment key", "the environment's admin key changes with HUB_ADMIN_KEY, not here");
                    }
                    ApiKeys.IssuedKey issued;
                    try {
                        issued = keys.rotate(id, Duration.ofSeconds(grace)).orElseThrow(() -> ApiProblem.notFound("active key " + id));
                    } catch (ApiKeys.NameInUseException race) {
                        throw new ApiProblem(409, "Name in use", "the key's name was passed on at the same moment; list the keys and try again");
                    }
                    Map<String, Object> body = issuedView(issued);
                    body.put("previousKeyId", id);
                    body.put("previousKeyExpiresAt", keys.find(id).map(k -> String.valueOf(k.expiresAt())).orElse(null));
                    respondWithSecret(e, body);
                });
    }

    private static String id(Exchange e) {
        String single = RequestParameters.path(e, "/api/v1/keys/{id}", "id");
        String id = single != null ? single : RequestParameters.path(e, "/api/v1/keys/{id}/rotate", "id");
        if (id == null || !ID.matcher(id).matches()) {
            throw ApiProblem.badRequest("id", "must be a key id (16 hex digits)");
        }
        return id;
    }

    /**
     * A 201 carrying a key's value. No cache on the way may keep it: the API guard marks every answer it lets
     * through {@code Cache-Control: no-store} (Camel's HTTP header filter drops that header from a route's answer).
     */
    private static void respondWithSecret(Exchange e, Map<String, Object> body) {
        JsonResponses.respond(e, 201, body);
    }

    private static ApiProblem nameInUse(String name) {
        return new ApiProblem(409, "Name in use", "an active key is named '" + name + "' (names are compared trimmed,"
                + " ignoring case); rotate or revoke it instead", java.util.List.of(
                new io.integrationhub.delivery.FieldError("name", "is the name of an active key")));
    }

    /** {@code allowedFrom}: absent or null for any sender, or 1 to 20 domain names. */
    private static java.util.List<String> allowedFrom(JsonNode node) {
        if (node == null || node.isNull()) {
            return java.util.List.of();
        }
        if (!node.isArray() || node.isEmpty() || node.size() > SenderDomains.MAX) {
            throw ApiProblem.badRequest("allowedFrom", "must be a list of 1 to " + SenderDomains.MAX
                    + " domain names such as [\"example.com\"], or left out to allow any sender");
        }
        java.util.Set<String> domains = new java.util.LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String domain = item.isTextual() ? SenderDomains.normalize(item.asText()).orElse(null) : null;
            if (domain == null) {
                throw ApiProblem.badRequest("allowedFrom[" + i + "]", "must be a domain name such as example.com");
            }
            domains.add(domain);
        }
        return java.util.List.copyOf(domains);
    }

    private static Map<String, Object> view(ApiKeys.ApiKeyView k) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", k.id());
        view.put("name", k.name());
        view.put("role", k.role());
        view.put("createdAt", String.valueOf(k.createdAt()));
        view.put("expiresAt", k.expiresAt() == null ? null : k.expiresAt().toString());
        view.put("revokedAt", k.revokedAt() == null ? null : k.revokedAt().toString());
        view.put("allowedFrom", k.allowedFrom().isEmpty() ? null : k.allowedFrom());
        return view;
    }

    private static Map<String, Object> issuedView(ApiKeys.IssuedKey issued) {
        Map<String, Object> body = view(issued.key());
        body.put("key", issued.value());
        return body;
    }
}
