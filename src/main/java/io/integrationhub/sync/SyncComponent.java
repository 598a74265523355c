package io.integrationhub.sync;

import java.util.Map;
import java.util.regex.Pattern;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code sync:<name>?baseUrl=...&path=...}: a route that starts {@code from} it gets every record of a paged HTTP API,
 * one exchange per record, on a schedule. See {@link SyncEndpoint} for the options.
 */
public class SyncComponent extends DefaultComponent {

    public static final String SCHEME = "sync";
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final SyncRuns runs;

    public SyncComponent(SyncRuns runs) {
        this.runs = runs;
    }

    SyncRuns runs() {
        return runs;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!NAME.matcher(remaining).matches()) {
            throw new IllegalArgumentException("sync:<name>: the name must be lower-case letters, digits and dashes, "
                    + "not '" + remaining + "'");
        }
        SyncEndpoint endpoint = new SyncEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        endpoint.check();
        return endpoint;
    }
}
