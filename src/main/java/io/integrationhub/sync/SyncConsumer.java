package io.integrationhub.sync;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.integrationhub.integrations.HttpApiProducer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.ScheduledPollConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a sync per poll, in the hub that holds its lease: every page, every record handed to the route as an
 * exchange of its own. A record the route fails on is counted and logged (its index, never its content), and the
 * run goes on; a page that cannot be read ends the run as failed. Each run is recorded.
 */
public class SyncConsumer extends ScheduledPollConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(SyncConsumer.class);
    /** Headers of each record's exchange. */
    public static final String SYNC = "syncName";
    public static final String RUN = "syncRunId";
    public static final String INDEX = "syncRecordIndex";

    private final SyncEndpoint endpoint;
    private final SyncRuns runs;
    private ProducerTemplate api;

    SyncConsumer(SyncEndpoint endpoint, Processor processor, SyncRuns runs) {
        super(endpoint, processor);
        this.endpoint = endpoint;
        this.runs = runs;
    }

    @Override
    protected void doStart() throws Exception {
        api = getEndpoint().getCamelContext().createProducerTemplate();
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (api != null) {
            api.stop();
        }
    }

    @Override
    protected int poll() throws Exception {
        String name = endpoint.getName();
        Duration lease = Duration.ofSeconds(endpoint.getLeaseSeconds());
        if (!runs.acquire(name, lease)) {
            LOG.debug("Sync {} runs in another hub", name);
            return 0;
        }
        String run = runs.start(name);
        int total = 0;
        int synced = 0;
        int errors = 0;
        try {
            String cursor = null;
            int page = endpoint.getFirstPage();
            for (int pages = 0; pages < endpoint.getMaxPages() && isRunAllowed(); pages++) {
                if (!runs.renew(name, lease)) {
                    throw new IllegalStateException("the sync's lease was lost to another hub");
                }
                Object answer = read(endpoint.page(cursor, page));
                List<?> records = records(answer);
                for (Object record : records) {
                    Exchange exchange = createExchange(false);
                    try {
                        exchange.getMessage().setBody(record);
                        exchange.getMessage().setHeader(SYNC, name);
                        exchange.getMessage().setHeader(RUN, run);
                        exchange.getMessage().setHeader(INDEX, total);
                        getProcessor().process(exchange);
                        if (exchange.getException() != null) {
                            errors++;
                            LOG.warn("Sync {} run {}: record {} failed: {}", name, run, total,
                                    exchange.getException().getMessage());
                        } else {
                            synced++;
                        }
                    } catch (Exception e) {
                        errors++;
                        LOG.warn("Sync {} run {}: record {} failed: {}", name, run, total, e.getMessage());
                    } finally {
                        total++;
                        releaseExchange(exchange, false);
                    }
                }
                if ("page".equals(endpoint.getPaging())) {
                    if (records.size() < endpoint.getPageSize()) {
                        break;
                    }
                    page++;
                } else {
                    Object next = field(answer, endpoint.getCursorField());
                    if (next == null || String.valueOf(next).isEmpty() || records.isEmpty()) {
                        break;
                    }
                    cursor = String.valueOf(next);
                }
            }
            runs.finish(run, SyncRuns.FINISHED, total, synced, errors, null);
            LOG.info("Sync {} run {}: {} records, {} synced, {} failed", name, run, total, synced, errors);
        } catch (Exception e) {
            runs.finish(run, SyncRuns.FAILED, total, synced, errors, e.getMessage());
            LOG.warn("Sync {} run {} failed after {} records: {}", name, run, total, e.getMessage());
        } finally {
            runs.release(name);
        }
        return total;
    }

    private Object read(String pathAndQuery) throws Exception {
        Exchange answer = api.send(endpoint.api(), e -> e.setProperty(HttpApiProducer.PATH, pathAndQuery));
        if (answer.getException() != null) {
            throw answer.getException();
        }
        return answer.getMessage().getBody();
    }

    private List<?> records(Object answer) {
        Object items = endpoint.getItemsField() == null || endpoint.getItemsField().isEmpty() ? answer
                : field(answer, endpoint.getItemsField());
        if (items == null) {
            return List.of();
        }
        if (!(items instanceof List<?> list)) {
            throw new IllegalStateException("the answer's " + endpoint.getItemsField() + " is not a list");
        }
        return list;
    }

    /** A field of a JSON answer; dots for nested fields ({@code meta.next}). */
    private static Object field(Object answer, String path) {
        Object value = answer;
        for (String part : path.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(part);
        }
        return value;
    }
}
