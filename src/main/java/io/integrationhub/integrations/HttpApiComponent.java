package io.integrationhub.integrations;

import java.util.Map;
import java.util.regex.Pattern;

import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code http-api:<name>?baseUrl=...}: any HTTP API, called resiliently from a route (YAML or Java) through the same
 * guard as the built-in providers: the throttle, the circuit breaker {@code http-<name>} (in health and metrics),
 * retries with backoff that honour Retry-After, a timeout; 4xx refused, 408/429/5xx and connection failures retried.
 * The message body (a map, a list or text) is sent as JSON; the JSON answer comes back on the body. See
 * {@link HttpApiEndpoint} for the options.
 */
public class HttpApiComponent extends DefaultComponent {

    public static final String SCHEME = "http-api";
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!NAME.matcher(remaining).matches()) {
            throw new IllegalArgumentException("http-api:<name>: the name must be lower-case letters, digits and "
                    + "dashes, not '" + remaining + "'");
        }
        HttpApiEndpoint endpoint = new HttpApiEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        endpoint.check();
        return endpoint;
    }
}
