package io.integrationhub.sync;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.ScheduledPollEndpoint;

/**
 * One sync: a paged HTTP API read on a schedule, each record handed to the route. Options:
 * <ul>
 * <li>the API, as for {@code http-api:}: {@code baseUrl} (required), {@code path}, {@code auth},
 * {@code tokenVariable}, {@code usernameVariable}, {@code authHeader}, {@code rate}, {@code retries},
 * {@code timeoutMs} (each page is a GET through the API's guard, breaker {@code http-sync-<name>})</li>
 * <li>{@code paging}: {@code cursor} (default: the next page's cursor is the answer's {@code cursorField}, default
 * {@code next_cursor}, sent as the query parameter {@code cursorParam}, default {@code cursor}; the last page has
 * none) or {@code page} (the page number as {@code pageParam}, default {@code page}, from {@code firstPage}, default
 * 1; the last page has fewer than {@code pageSize} records)</li>
 * <li>{@code itemsField}: where the records are in an answer (default {@code data}; dots for nested fields; empty when
 * the answer is the list itself); {@code pageSize} (default 100) as {@code pageSizeParam} (default {@code limit});
 * {@code maxPages} (default 1000)</li>
 * <li>{@code delay}: milliseconds between runs (default one hour); {@code initialDelay}: before the first (default
 * 1000); {@code leaseSeconds}: how long a run holds the sync against other hubs between its pages (default 300)</li>
 * </ul>
 */
public class SyncEndpoint extends ScheduledPollEndpoint {

    private final String name;
    private String baseUrl;
    private String path = "";
    private String auth = "none";
    private String tokenVariable;
    private String usernameVariable;
    private String authHeader = "X-API-Key";
    private int rate = 10;
    private int retries = 3;
    private long timeoutMs = 10_000;
    private String paging = "cursor";
    private String itemsField = "data";
    private String cursorField = "next_cursor";
    private String cursorParam = "cursor";
    private String pageParam = "page";
    private int firstPage = 1;
    private String pageSizeParam = "limit";
    private int pageSize = 100;
    private int maxPages = 1000;
    private int leaseSeconds = 300;

    SyncEndpoint(String uri, SyncComponent component, String name) {
        super(uri, component);
        this.name = name;
        setDelay(3_600_000);
        setInitialDelay(1000);
    }

    void check() {
        if (baseUrl == null || baseUrl.isBlank()) {
            throw new IllegalArgumentException("sync:" + name + " needs baseUrl");
        }
        if (!"cursor".equals(paging) && !"page".equals(paging)) {
            throw new IllegalArgumentException("sync:" + name + ": paging must be cursor or page");
        }
        if (pageSize < 1 || maxPages < 1 || leaseSeconds < 5) {
            throw new IllegalArgumentException("sync:" + name + ": pageSize and maxPages must be positive, "
                    + "leaseSeconds at least 5");
        }
    }

    public String getName() {
        return name;
    }

    /** The {@code http-api:} endpoint each page is read through. */
    String api() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("baseUrl", baseUrl);
        options.put("method", "GET");
        options.put("auth", auth);
        if (tokenVariable != null) {
            options.put("tokenVariable", tokenVariable);
        }
        if (usernameVariable != null) {
            options.put("usernameVariable", usernameVariable);
        }
        options.put("authHeader", authHeader);
        options.put("rate", rate);
        options.put("retries", retries);
        options.put("timeoutMs", timeoutMs);
        return "http-api:sync-" + name + "?" + options.entrySet().stream()
                .map(e -> e.getKey() + "=RAW(" + e.getValue() + ")").collect(Collectors.joining("&"));
    }

    /** The path and query of one page: the cursor (null for the first page) or the page number. */
    String page(String cursor, int page) {
        StringBuilder query = new StringBuilder(path);
        query.append(path.contains("?") ? '&' : '?').append(encode(pageSizeParam)).append('=').append(pageSize);
        if ("page".equals(paging)) {
            query.append('&').append(encode(pageParam)).append('=').append(page);
        } else if (cursor != null) {
            query.append('&').append(encode(cursorParam)).append('=').append(encode(cursor));
        }
        return query.toString();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("sync:" + name + " is where a route starts (from), not a destination");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        SyncConsumer consumer = new SyncConsumer(this, processor, ((SyncComponent) getComponent()).runs());
        configureConsumer(consumer);
        return consumer;
    }

    public String getBaseUrl() { return baseUrl; }
    public void setBaseUrl(String baseUrl) { this.baseUrl = baseUrl; }
    public String getPath() { return path; }
    public void setPath(String path) { this.path = path; }
    public String getAuth() { return auth; }
    public void setAuth(String auth) { this.auth = auth; }
    public String getTokenVariable() { return tokenVariable; }
    public void setTokenVariable(String tokenVariable) { this.tokenVariable = tokenVariable; }
    public String getUsernameVariable() { return usernameVariable; }
    public void setUsernameVariable(String usernameVariable) { this.usernameVariable = usernameVariable; }
    public String getAuthHeader() { return authHeader; }
    public void setAuthHeader(String authHeader) { this.authHeader = authHeader; }
    public int getRate() { return rate; }
    public void setRate(int rate) { this.rate = rate; }
    public int getRetries() { return retries; }
    public void setRetries(int retries) { this.retries = retries; }
    public long getTimeoutMs() { return timeoutMs; }
    public void setTimeoutMs(long timeoutMs) { this.timeoutMs = timeoutMs; }
    public String getPaging() { return paging; }
    public void setPaging(String paging) { this.paging = paging; }
    public String getItemsField() { return itemsField; }
    public void setItemsField(String itemsField) { this.itemsField = itemsField; }
    public String getCursorField() { return cursorField; }
    public void setCursorField(String cursorField) { this.cursorField = cursorField; }
    public String getCursorParam() { return cursorParam; }
    public void setCursorParam(String cursorParam) { this.cursorParam = cursorParam; }
    public String getPageParam() { return pageParam; }
    public void setPageParam(String pageParam) { this.pageParam = pageParam; }
    public int getFirstPage() { return firstPage; }
    public void setFirstPage(int firstPage) { this.firstPage = firstPage; }
    public String getPageSizeParam() { return pageSizeParam; }
    public void setPageSizeParam(String pageSizeParam) { this.pageSizeParam = pageSizeParam; }
    public int getPageSize() { return pageSize; }
    public void setPageSize(int pageSize) { this.pageSize = pageSize; }
    public int getMaxPages() { return maxPages; }
    public void setMaxPages(int maxPages) { this.maxPages = maxPages; }
    public int getLeaseSeconds() { return leaseSeconds; }
    public void setLeaseSeconds(int leaseSeconds) { this.leaseSeconds = leaseSeconds; }
}
