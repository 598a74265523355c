package io.integrationhub.outbox;

/**
 * A kind of message the outbox carries (email, sms, ...). Each is claimed and dispatched on its own, with its own
 * workers and retry schedule, so that one provider's outage never delays another channel. A channel delivers one
 * stored message through its route {@code direct:outbox-<name>}, which gets the stored payload as its body and
 * answers with a {@link io.integrationhub.delivery.DeliveryResult} or throws a
 * {@link io.integrationhub.delivery.DeliveryException}.
 */
public interface OutboxChannel {

    String name();
}
