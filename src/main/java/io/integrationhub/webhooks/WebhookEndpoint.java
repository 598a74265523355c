package io.integrationhub.webhooks;

import java.util.Arrays;
import java.util.List;

import org.apache.camel.Consumer;
import org.apache.camel.MultipleConsumersSupport;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** The events of one webhook source, optionally of some types only: the start of a subscriber route. */
public class WebhookEndpoint extends DefaultEndpoint implements MultipleConsumersSupport {

    private final String source;
    private List<String> types = List.of();

    WebhookEndpoint(String uri, WebhookComponent component, String source) {
        super(uri, component);
        this.source = source;
    }

    public String getSource() {
        return source;
    }

    /** Comma-separated event types; one ending in {@code *} takes every type with that beginning. Empty: all. */
    public void setTypes(String types) {
        this.types = Arrays.stream(types.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
    }

    public String getTypes() {
        return String.join(",", types);
    }

    boolean takes(String source, String type) {
        if (!this.source.equals(source)) {
            return false;
        }
        if (types.isEmpty()) {
            return true;
        }
        for (String wanted : types) {
            if (wanted.endsWith("*") ? type != null && type.startsWith(wanted.substring(0, wanted.length() - 1))
                    : wanted.equals(type)) {
                return true;
            }
        }
        return false;
    }

    /** Several routes may subscribe to the same events: each is a subscriber of its own. */
    @Override
    public boolean isMultipleConsumersSupported() {
        return true;
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("webhook:" + source + " is where a subscriber route starts (from), "
                + "not a destination (to)");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        WebhookConsumer consumer = new WebhookConsumer(this, processor, ((WebhookComponent) getComponent()).subscribers());
        configureConsumer(consumer);
        return consumer;
    }
}
