package io.integrationhub.api;

import java.util.Map;

import io.integrationhub.api.docs.Email;
import io.integrationhub.api.docs.EmailBatch;
import io.integrationhub.api.docs.Problem;
import io.integrationhub.api.docs.Sms;
import io.integrationhub.api.docs.SmsBatch;
import org.apache.camel.model.rest.RestDefinition;
import org.apache.camel.model.rest.RestParamType;

/**
 * The OpenAPI contract's shared parts: the bearer scheme, the problem+json answers, the Idempotency-Key header and
 * the request bodies (documentation-only classes in {@code api.docs}: the routes read and write the JSON themselves,
 * binding is off).
 */
public final class ApiDocs {

    public static final String BEARER = "bearer";

    private static final Map<Integer, String> ERRORS = Map.ofEntries(
            Map.entry(400, "Malformed request: not JSON, a bad parameter or a bad Idempotency-Key header"),
            Map.entry(402, "Payment declined: code and declineCode as the payment provider reports them"),
            Map.entry(401, "Missing, unknown, expired or revoked API key"),
            Map.entry(403, "The API key's role does not allow this (admin only)"),
            Map.entry(404, "No such resource (or not visible to this key)"),
            Map.entry(409, "Conflict with the current state (or a request with this Idempotency-Key still in progress)"),
            Map.entry(413, "Request body too large"),
            Map.entry(415, "Content-Type is not application/json"),
            Map.entry(422, "Invalid content: errors[] names each field (or the Idempotency-Key was used for another request)"),
            Map.entry(502, "The provider refused the hub's credentials or the request"),
            Map.entry(503, "The hub cannot take this now (store away or memory budget full); try again after Retry-After"));

    private ApiDocs() {
    }

    /** Declares the bearer scheme on {@code rest} (every rest() that uses it declares it; the document merges them). */
    public static RestDefinition bearer(RestDefinition rest) {
        return rest.securityDefinitions()
                .bearerToken(BEARER, "An API key (hk_<id>_<secret>, or HUB_ADMIN_KEY): Authorization: Bearer <key>", "API key")
                .end();
    }

    /** The current verb: needs the bearer key, answers {@code ok} with {@code model}, and these problem+json errors. */
    public static RestDefinition answers(RestDefinition verb, int ok, String description, Class<?> model, int... errors) {
        verb.security(BEARER);
        var success = verb.responseMessage().code(ok).message(description);
        if (model != null) {
            success.contentType("application/json").responseModel(model);
        }
        success.endResponseMessage();
        for (int code : errors) {
            var error = verb.responseMessage().code(code).message(ERRORS.get(code)).contentType(Problems.CONTENT_TYPE)
                    .responseModel(Problem.class);
            if (code == 401) {
                error.header("WWW-Authenticate").dataType("string").description("Bearer").endHeader();
            } else if (code == 409 || code == 503) {
                error.header("Retry-After").dataType("integer")
                        .description("Seconds to wait before trying again (for a busy Idempotency-Key or an unavailable hub)")
                        .endHeader();
            }
            error.endResponseMessage();
        }
        return verb;
    }

    /** The request body of {@code POST /api/v1/<channel>}: a channel without a documented shape is any JSON object. */
    public static Class<?> messageModel(String channel) {
        return switch (channel) {
            case "email" -> Email.class;
            case "sms" -> Sms.class;
            default -> Map.class;
        };
    }

    /** The request body of {@code POST /api/v1/<channel>/batch}. */
    public static Class<?> batchModel(String channel) {
        return switch (channel) {
            case "email" -> EmailBatch.class;
            case "sms" -> SmsBatch.class;
            default -> Map.class;
        };
    }

    /** The {@code Idempotency-Key} header on the current verb. */
    public static RestDefinition idempotencyKey(RestDefinition verb) {
        return verb.param().name(Idempotency.HEADER).type(RestParamType.header).required(false).dataType("string")
                .description("Makes the POST safe to retry: the same key and request within the retention answer the "
                        + "first response again; 1 to 255 visible ASCII characters")
                .endParam();
    }
}
