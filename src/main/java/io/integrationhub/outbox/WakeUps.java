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

    private final CamelContext context;
    private final Map<String, AtomicBoolean> onTheirWay = new ConcurrentHashMap<>();
    private final Map<String, BooleanSupplier> rooms = new ConcurrentHashMap<>();
    private volatile ProducerTemplate producer;

    private WakeUps(CamelContext context) {
        this.context = context;
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

    /**
     * The channel's claimer has room to claim only when this says so ({@link OutboxRoutes}: enough workers free);
     * until then a wake-up is dropped, as the worker that frees the room wakes it.
     */
    void room(String channel, BooleanSupplier hasRoom) {
        rooms.put(channel, hasRoom);
    }

    /** Has the channel's claimer look for due messages soon. */
    public void wake(String channel) {
        BooleanSupplier hasRoom = rooms.get(channel);
        if (hasRoom != null && !hasRoom.getAsBoolean()) {
            return;
        }
        AtomicBoolean sent = onTheirWay.computeIfAbsent(channel, c -> new AtomicBoolean());
        if (sent.compareAndSet(false, true)) {
            try {
                producer().sendBody(OutboxRoutes.wake(channel), null);
            } catch (RuntimeException notHandedOn) {
                sent.set(false);
                throw notHandedOn;
            }
        }
    }

    /** A step of a route that wakes the channel's claimer. */
    public Processor of(String channel) {
        return exchange -> wake(channel);
    }

    /** The claimer has started on a wake-up: what frees or arrives from now on must wake it again. */
    void taken(String channel) {
        AtomicBoolean sent = onTheirWay.get(channel);
        if (sent != null) {
            sent.set(false);
        }
    }

    private ProducerTemplate producer() {
        ProducerTemplate template = producer;
        if (template == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = context.createProducerTemplate();
                }
                template = producer;
            }
        }
        return template;
    }
}
