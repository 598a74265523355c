package io.integrationhub.integrations;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/**
 * One HTTP API, by name: its options are the URI's parameters, documented here.
 * <ul>
 * <li>{@code baseUrl} (required): {@code https://api.example.com/v2}</li>
 * <li>{@code path}: appended to the base URL ({@code /contacts}); the exchange property {@code httpApiPath}
 * overrides it per call ({@code /contacts/42})</li>
 * <li>{@code method}: GET, POST (default), PUT, PATCH or DELETE</li>
 * <li>{@code auth}: {@code none} (default), {@code bearer} ({@code Authorization: Bearer <token>}), {@code header}
 * (the token in the header {@code authHeader}, default {@code X-API-Key}) or {@code basic}</li>
 * <li>{@code tokenVariable}: the environment variable (or setting) holding the token or API key; for basic, the
 * user is {@code usernameVariable} and the password {@code tokenVariable}. Secrets never go in the YAML.</li>
 * <li>{@code rate}: requests per second at most (default 10)</li>
 * <li>{@code retries}: further attempts of a transient failure (default 3), after {@code backoffMs} (default 500),
 * doubled each time, or the API's Retry-After when longer; a Retry-After over {@code maxRetryAfterMs} (default
 * 30000) is not waited for</li>
 * <li>{@code timeoutMs}: the longest wait for an answer (default 10000)</li>
 * <li>{@code failureRateThreshold} (percent, default 50), {@code minimumNumberOfCalls} (default 5),
 * {@code openSeconds} (default 30): the circuit breaker {@code http-<name>}; while it is open, calls fail at once
 * with {@code ProviderUnavailableException}</li>
 * </ul>
 * The first use of a name decides its throttle and breaker.
 */
public class HttpApiEndpoint extends DefaultEndpoint {

    static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
    static final List<String> AUTHS = List.of("none", "bearer", "header", "basic");

    private final String name;
    private String baseUrl;
    private String path = "";
    private String method = "POST";
    private String auth = "none";
    private String authHeader = "X-API-Key";
    private String tokenVariable;
    private String usernameVariable;
    private int rate = 10;
    private int retries = 3;
    private long backoffMs = 500;
    private long maxRetryAfterMs = 30_000;
    private long timeoutMs = 10_000;
    private int failureRateThreshold = 50;
    private int minimumNumberOfCalls = 5;
    private int openSeconds = 30;

    HttpApiEndpoint(String uri, HttpApiComponent component, String name) {
        super(uri, component);
        this.name = name;
    }

    /** Refuses options that cannot work, when the route is created (the integrations API shows the reason). */
    void check() {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("http-api:" + name + " needs baseUrl");
        }
        URI uri = URI.create(baseUrl);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("http-api:" + name + ": baseUrl must be an http or https URL");
        }
        if (!METHODS.contains(method.toUpperCase(Locale.ROOT))) {
            throw new IllegalArgumentException("http-api:" + name + ": method must be one of " + METHODS);
        }
        if (!AUTHS.contains(auth)) {
            throw new IllegalArgumentException("http-api:" + name + ": auth must be one of " + AUTHS);
        }
        if (!"none".equals(auth) && (tokenVariable == null || tokenVariable.isBlank())) {
            throw new IllegalArgumentException("http-api:" + name + ": auth=" + auth + " needs tokenVariable, the "
                    + "environment variable that holds the " + ("basic".equals(auth) ? "password" : "token"));
        }
        if ("basic".equals(auth) && (usernameVariable == null || usernameVariable.isBlank())) {
            throw new IllegalArgumentException("http-api:" + name + ": auth=basic needs usernameVariable");
        }
        if (rate <= 0 || retries < 0 || backoffMs < 0 || timeoutMs <= 0 || failureRateThreshold < 1
                || failureRateThreshold > 100 || minimumNumberOfCalls < 1 || openSeconds < 1) {
            throw new IllegalArgumentException("http-api:" + name + ": rate, timeoutMs, minimumNumberOfCalls and "
                    + "openSeconds must be positive, retries and backoffMs not negative, failureRateThreshold 1 to 100");
        }
    }

    public String getName() {
        return name;
    }

    /** The provider name of this API in breakers, health and metrics. */
    public String provider() {
        return "http-" + name;
    }

    @Override
    public Producer createProducer() {
        return new HttpApiProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) {
        throw new UnsupportedOperationException("http-api:" + name + " is a destination (to), not where a route starts");
    }

    public String getBaseUrl() {
        return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
    }

    public String getPath() {
        return path;
    }

    public void setPath(String path) {
        this.path = path;
    }

    public String getMethod() {
        return method;
    }

    public void setMethod(String method) {
        this.method = method.toUpperCase(Locale.ROOT);
    }

    public String getAuth() {
        return auth;
    }

    public void setAuth(String auth) {
        this.auth = auth.toLowerCase(Locale.ROOT);
    }

    public String getAuthHeader() {
        return authHeader;
    }

    public void setAuthHeader(String authHeader) {
        this.authHeader = authHeader;
    }

    public String getTokenVariable() {
        return tokenVariable;
    }

    public void setTokenVariable(String tokenVariable) {
        this.tokenVariable = tokenVariable;
    }

    public String getUsernameVariable() {
        return usernameVariable;
    }

    public void setUsernameVariable(String usernameVariable) {
        this.usernameVariable = usernameVariable;
    }

    public int getRate() {
        return rate;
    }

    public void setRate(int rate) {
        this.rate = rate;
    }

    public int getRetries() {
        return retries;
    }

    public void setRetries(int retries) {
        this.retries = retries;
    }

    public long getBackoffMs() {
        return backoffMs;
    }

    public void setBackoffMs(long backoffMs) {
        this.backoffMs = backoffMs;
    }

    public long getMaxRetryAfterMs() {
        return maxRetryAfterMs;
    }

    public void setMaxRetryAfterMs(long maxRetryAfterMs) {
        this.maxRetryAfterMs = maxRetryAfterMs;
    }

    public long getTimeoutMs() {
        return timeoutMs;
    }

    public void setTimeoutMs(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    public int getFailureRateThreshold() {
        return failureRateThreshold;
    }

    public void setFailureRateThreshold(int failureRateThreshold) {
        this.failureRateThreshold = failureRateThreshold;
    }

    public int getMinimumNumberOfCalls() {
        return minimumNumberOfCalls;
    }

    public void setMinimumNumberOfCalls(int minimumNumberOfCalls) {
        this.minimumNumberOfCalls = minimumNumberOfCalls;
    }

    public int getOpenSeconds() {
        return openSeconds;
    }

    public void setOpenSeconds(int openSeconds) {
        this.openSeconds = openSeconds;
    }
}
