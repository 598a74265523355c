package io.integrationhub.channel;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.outbox.OutboxChannel;

/**
 * What an asynchronous channel (email, SMS) plugs into the shared machinery: its message type, how a request
 * becomes a valid message, and the providers it knows. Everything else (the REST accept shape, the
 * {@code direct:send-}/{@code direct:enqueue-} entries, idempotency, the outbox, the guarded provider call, the
 * fallback) is {@link ChannelRoutes}, written once. A channel is a bean named {@code <name>Channel}.
 *
 * @param <M> the validated message, a record: what the outbox stores (as JSON) and the providers receive
 */
public interface Channel<M> extends OutboxChannel {

    /** {@code email}, {@code sms}: the path {@code /api/v1/<name>}, the routes {@code direct:send-<name>}, ... */
    @Override
    String name();

    Class<M> messageType();

    /** The providers this channel has a route for ({@code direct:<name>-<provider>}); {@code console} among them. */
    List<String> providers();

    /**
     * The request fields an in-JVM caller may set as exchange properties named {@code <name><Field>} (for email:
     * {@code emailTo}, {@code emailTemplate}, ...); with a template, the body is its data.
     */
    List<String> fields();

    /**
     * Turns one request object into a message, or throws {@link io.integrationhub.delivery.InvalidMessageException}
     * naming every wrong field; {@code path} prefixes field names (for batch items: {@code messages[3].}).
     */
    M parse(JsonNode request, String path);

    /** One line for logs: recipients masked, sizes instead of content. */
    String summary(M message);
}
