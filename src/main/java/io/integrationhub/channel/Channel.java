package io.integrationhub.channel;

import java.util.List;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.outbox.OutboxChannel;

/**
 * What an asynchronous channel (email, SMS) plugs into the shared machinery: its message type, how a request
 * becomes a valid message, and the providers it knows. Everything else (the REST accept shape, the
 * {@code direct:send-}/{@code direct:enqueue-} entries, idempotency, the outbox, the guarded provider call, the
 * fallback) is {@link ChannelRoutes}, written once. A capability binds one as the bean {@code <name>Channel}.
 *
 * @param name        {@code email}, {@code sms}: the path {@code /api/v1/<name>}, the routes {@code direct:send-<name>}, ...
 * @param messageType the validated message, a record: what the outbox stores (as JSON) and the providers receive
 * @param providers   the providers this channel has a route for ({@code direct:<name>-<provider>}); {@code console}
 *                    among them, served by {@link ChannelRoutes}
 * @param fields      the request fields an in-JVM caller may set as exchange properties named {@code <name><Field>}
 *                    (for email: {@code emailTo}, {@code emailTemplate}, ...); with a template, the body is its data
 * @param parser      turns one request object into a message, or throws
 *                    {@link io.integrationhub.delivery.InvalidMessageException} naming every wrong field
 * @param summary     one line for logs: recipients masked, sizes instead of content
 */
public record Channel<M>(String name, Class<M> messageType, List<String> providers, List<String> fields,
                         Parser<M> parser, Function<M, String> summary) implements OutboxChannel {

    /** Reads a request; {@code path} prefixes field names (for batch items: {@code messages[3].}). */
    @FunctionalInterface
    public interface Parser<M> {
        M parse(JsonNode request, String path);
    }

    public Channel {
        providers = List.copyOf(providers);
        fields = List.copyOf(fields);
    }

    public M parse(JsonNode request, String path) {
        return parser.parse(request, path);
    }

    public String summary(M message) {
        return summary.apply(message);
    }
}
