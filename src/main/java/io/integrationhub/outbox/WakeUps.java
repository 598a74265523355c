package io.integrationhub.outbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;

/**
 * Wakes a channel's claimer ({@link OutboxRoutes#wake}) when there is work for it: a message accepted, a worker
 * freed. While the claimer has no room to claim ({@link #room}), or once a wake-up is on its way, further ones are
 * dropped here until the claimer takes it ({@link #taken}):
 * under load thousands a second arrive, and each would otherwise be an exchange made only to be dropped at the
 * claimer's full queue. A wake-up that could not be handed on is forgotten, so the next one goes; the outbox's poll
 * wakes every claimer in any case.
 */
public final class WakeUps {

    static final String BEAN = "hubOutboxWakeUps";

    /** A channel's claimer: whether a wake-up is on its way to it, and whether it has room to claim. */
    private static final class Claimer {
        final AtomicBoolean onItsWay = new AtomicBoolean();
        volatile BooleanSupplier hasRoom = () -> true;
    }

    private final ProducerTemplate producer;
    private final Map<String, Claimer> claimers = new ConcurrentHashMap<>();

    private WakeUps(CamelContext context) {
        this.producer = context.createProducerTemplate();
    }

    /** The hub's wake-ups, made once per hub. */
    public static WakeUps of(CamelContext context) {
        synchronized (WakeUps.class) {
            WakeUps existing = context.getRegistry().lookupByNameAndType(BEAN, WakeUps.class);
            if (existing == null) {
                existing = new WakeUps(context);
                context.getRegistry().bind(BEAN, WakeUps.class, existing);
            }
            return existing;
        }
    }

    private Claimer claimer(String channel) {
        return claimers.computeIfAbsent(channel, c -> new Claimer());
    }

    /**
     * The channel's claimer has room to claim only when this says so ({@link OutboxRoutes}: enough workers free);
     * until then a wake-up is dropped, as the worker that frees the room wakes it.
     */
    void room(String channel, BooleanSupplier hasRoom) {
        claimer(channel).hasRoom = hasRoom;
    }

    /** Has the channel's claimer look for due messages soon. */
    public void wake(String channel) {
        Claimer claimer = claimer(channel);
        if (claimer.hasRoom.getAsBoolean() && claimer.onItsWay.compareAndSet(false, true)) {
            try {
                producer.sendBody(OutboxRoutes.wake(channel), null);
            } catch (RuntimeException notHandedOn) {
                claimer.onItsWay.set(false);
                throw notHandedOn;
            }
        }
    }

    /** A step of a route that wakes the channel's claimer. */
    public Processor step(String channel) {
        return exchange -> wake(channel);
    }

    /** The claimer has started on a wake-up: what frees or arrives from now on must wake it again. */
    void taken(String channel) {
        claimer(channel).onItsWay.set(false);
    }
}
