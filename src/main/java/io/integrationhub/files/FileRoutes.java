package io.integrationhub.files;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.integrationhub.Settings;
import io.integrationhub.api.ApiErrorHandling;
import io.integrationhub.api.ApiProblem;
import io.integrationhub.api.JsonBodies;
import io.integrationhub.api.JsonResponses;
import io.integrationhub.api.Problems;
import io.integrationhub.delivery.FieldError;
import io.integrationhub.delivery.InvalidMessageException;
import io.integrationhub.security.Caller;
import io.integrationhub.security.Callers;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.platform.http.vertx.HttpMessage;

/**
 * Files, synchronous and streamed:
 * <ul>
 * <li>{@code PUT /api/v1/files/{key}} (the body spooled to disk by the server, then streamed to the provider),
 * {@code GET} and {@code HEAD} (streamed back with Content-Length and ETag; {@code Range}), {@code DELETE},
 * {@code GET /api/v1/files?prefix=&limit=&cursor=}, {@code POST /api/v1/files/{key}/signed-url};</li>
 * <li>{@code /files/<app>/<key>?method=&expires=&signature=}: a signed URL followed without an API key;</li>
 * <li>{@code direct:upload-file}, {@code direct:download-file}, {@code direct:file-signed-url},
 * {@code direct:delete-file}, {@code direct:list-files}: the same from a route (header {@code fileKey}).</li>
 * </ul>
 * Keys are scoped to the app (the API key's name, in lower case): an app reaches only its own files; an admin key
 * reaches another app's with {@code ?app=<name>} and lists every app's without it.
 */
public class FileRoutes extends RouteBuilder {

    /** The file's key, for the {@code direct:} entries. */
    public static final String KEY = "fileKey";
    /** The app whose files a route works on (default: the API caller's, or {@code routes}). */
    public static final String APP = "fileApp";
    public static final String CONTENT_TYPE = "fileContentType";
    public static final long MAX_SIGNED_SECONDS = Duration.ofDays(7).toSeconds();
    private static final String API = "/api/v1/files";

    @Override
    public void configure() {
        FileStorage storage = getContext().getRegistry().lookupByNameAndType(FilesConfiguration.STORAGE_BEAN, FileStorage.class);
        long maxBytes = Settings.number(getContext(), "files.max-bytes");
        if (storage instanceof S3Files) {
            // the guarded provider call: throttle at files.s3.rate, breaker breaker.files-s3.*
            templatedRoute(io.integrationhub.delivery.ProviderGuard.TEMPLATE).routeId("guard-" + S3Files.PROVIDER)
                    .parameter("provider", S3Files.PROVIDER)
                    .parameter("rate", Settings.get(getContext(), "files.s3.rate"))
                    .parameter("breaker", io.integrationhub.delivery.CircuitBreakers.of(getContext()).register(S3Files.PROVIDER));
            from("direct:" + S3Files.PROVIDER).routeId(S3Files.PROVIDER).errorHandler(noErrorHandler())
                    .process(e -> e.getMessage().setBody(new S3Files.Result(
                            S3Files.call(e.getProperty(S3Files.CALL, java.util.concurrent.Callable.class)))));
        }

        from("platform-http:" + API + "?matchOnUriPrefix=true&useStreaming=true").routeId("api-files")
                .routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> api(e, storage, maxBytes));

        from("platform-http:/files?matchOnUriPrefix=true&useStreaming=true").routeId("files-signed")
                .routeConfigurationId(ApiErrorHandling.ID)
                .process(e -> signed(e, storage, maxBytes));

        from("direct:upload-file").routeId("upload-file").errorHandler(noErrorHandler())
                .process(e -> {
                    String key = FileKeys.check(e.getMessage().getHeader(KEY, String.class), KEY);
                    String type = e.getMessage().getHeader(CONTENT_TYPE, "application/octet-stream", String.class);
                    try (InputStream body = e.getMessage().getBody(InputStream.class)) {
                        e.getMessage().setBody(storage.put(app(e), key, body, type, new FileStorage.Expected(maxBytes, null, null)));
                    }
                });
        from("direct:download-file").routeId("download-file").errorHandler(noErrorHandler())
                .process(e -> {
                    String key = FileKeys.check(e.getMessage().getHeader(KEY, String.class), KEY);
                    StoredFile file = storage.head(app(e), key).orElseThrow(() -> FileProblem.notFound(key));
                    e.getMessage().setHeader("fileSize", file.size());
                    e.getMessage().setHeader(CONTENT_TYPE, file.contentType());
                    e.getMessage().setHeader("fileEtag", file.etag());
                    e.getMessage().setBody(storage.open(app(e), key, 0, Math.max(0, file.size() - 1)));
                });
        from("direct:file-signed-url").routeId("file-signed-url").errorHandler(noErrorHandler())
                .process(e -> {
                    String key = FileKeys.check(e.getMessage().getHeader(KEY, String.class), KEY);
                    long seconds = e.getMessage().getHeader("fileExpiresIn", 3600L, Long.class);
                    String method = e.getMessage().getHeader("fileMethod", "GET", String.class);
                    e.getMessage().setBody(signedUrl(storage, app(e), key, method, seconds));
                });
        from("direct:delete-file").routeId("delete-file").errorHandler(noErrorHandler())
                .process(e -> e.getMessage().setBody(storage.delete(app(e),
                        FileKeys.check(e.getMessage().getHeader(KEY, String.class), KEY))));
        from("direct:list-files").routeId("list-files").errorHandler(noErrorHandler())
                .process(e -> e.getMessage().setBody(storage.list(app(e), e.getMessage().getHeader("filePrefix", String.class),
                        e.getMessage().getHeader("fileLimit", 100, Integer.class), e.getMessage().getHeader("fileCursor", String.class))));
    }

    /** The app a route works for. */
    private static String app(Exchange e) {
        String app = e.getProperty(APP, String.class);
        if (app != null) {
            return app.toLowerCase(java.util.Locale.ROOT);
        }
        return Callers.tryOf(e).map(c -> c.keyName().toLowerCase(java.util.Locale.ROOT)).orElse("routes");
    }

    private static Map<String, Object> signedUrl(FileStorage storage, String app, String key, String method, long seconds) {
        if (!method.equals("GET") && !method.equals("PUT")) {
            throw new InvalidMessageException("method", "must be GET or PUT");
        }
        if (seconds < 1 || seconds > MAX_SIGNED_SECONDS) {
            throw new InvalidMessageException("expiresIn", "must be from 1 to " + MAX_SIGNED_SECONDS + " seconds (7 days)");
        }
        Instant expiresAt = Instant.now().plusSeconds(seconds);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("url", storage.signedUrl(app, key, method, expiresAt));
        answer.put("expiresAt", Instant.ofEpochSecond(expiresAt.getEpochSecond()).toString());
        return answer;
    }

    private static void api(Exchange e, FileStorage storage, long maxBytes) throws Exception {
        HttpMessage http = e.getIn(HttpMessage.class);
        HttpServerRequest request = http.getRequest();
        Caller caller = Callers.of(e);
        String app = caller.keyName().toLowerCase(java.util.Locale.ROOT);
        String asApp = request.getParam("app");
        if (asApp != null) {
            if (!caller.isAdmin()) {
                throw new ApiProblem(403, "Forbidden", "only an admin key may work on another app's files");
            }
            app = asApp.toLowerCase(java.util.Locale.ROOT);
        }
        String path = request.path();
        String method = request.method().name();
        if (path.equals(API) || path.equals(API + "/")) {
            if (!method.equals("GET")) {
                throw new ApiProblem(405, "Method not allowed", "the list of files is read with GET");
            }
            list(e, storage, caller.isAdmin() && asApp == null ? null : app, request);
            return;
        }
        String rest = path.substring(API.length() + 1);
        if (method.equals("POST") && rest.endsWith("/signed-url")) {
            String key = FileKeys.fromPath(rest.substring(0, rest.length() - "/signed-url".length()), "key");
            JsonNode body = JsonBodies.readObject(e);
            List<FieldError> errors = new java.util.ArrayList<>();
            io.integrationhub.channel.JsonFields.refuseUnknown(body, java.util.Set.of("expiresIn", "method"), "", errors);
            JsonNode expiresIn = body.path("expiresIn");
            if (!expiresIn.isMissingNode() && !expiresIn.isIntegralNumber()) {
                errors.add(new FieldError("expiresIn", "must be a whole number of seconds"));
            }
            JsonNode signedMethod = body.path("method");
            if (!signedMethod.isMissingNode() && !signedMethod.isTextual()) {
                errors.add(new FieldError("method", "must be GET or PUT"));
            }
            if (!errors.isEmpty()) {
                throw new InvalidMessageException(errors);
            }
            JsonResponses.respond(e, 200, signedUrl(storage, app, key, signedMethod.asText("GET"),
                    expiresIn.isMissingNode() ? 3600 : expiresIn.asLong()));
            return;
        }
        String key = FileKeys.fromPath(rest, "key");
        switch (method) {
            case "PUT" -> upload(e, storage, app, key, maxBytes, request);
            case "GET", "HEAD" -> download(e, storage, app, key, request, http.getResponse());
            case "DELETE" -> {
                storage.delete(app, key);
                JsonResponses.respondRaw(e, 204, null);
            }
            default -> throw new ApiProblem(405, "Method not allowed", "a file takes PUT, GET, HEAD and DELETE");
        }
    }

    private static void list(Exchange e, FileStorage storage, String app, HttpServerRequest request) {
        String prefix = request.getParam("prefix");
        int limit = 100;
        String limitText = request.getParam("limit");
        if (limitText != null) {
            if (!limitText.matches("[0-9]{1,4}") || Integer.parseInt(limitText) < 1 || Integer.parseInt(limitText) > 1000) {
                throw ApiProblem.badRequest("limit", "must be from 1 to 1000");
            }
            limit = Integer.parseInt(limitText);
        }
        String cursor = null;
        String cursorText = request.getParam("cursor");
        if (cursorText != null) {
            try {
                cursor = new String(Base64.getUrlDecoder().decode(cursorText), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException bad) {
                throw ApiProblem.badRequest("cursor", "is not a cursor this API gave");
            }
        }
        if (prefix != null && !prefix.isEmpty()) {
            FileKeys.check(prefix.endsWith("/") ? prefix + "x" : prefix, "prefix");
        }
        FileStorage.Page page = storage.list(app, prefix, limit, cursor);
        List<Map<String, Object>> items = new java.util.ArrayList<>();
        for (StoredFile file : page.items()) {
            Map<String, Object> item = new LinkedHashMap<>();
            if (app == null) {
                item.put("app", file.app());
            }
            item.put("key", file.key());
            item.put("size", file.size());
            item.put("contentType", file.contentType());
            item.put("lastModified", file.lastModified().toString());
            items.add(item);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        body.put("nextCursor", page.nextCursor() == null ? null : Base64.getUrlEncoder().withoutPadding()
                .encodeToString(page.nextCursor().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        JsonResponses.respond(e, 200, body);
    }

    private static void upload(Exchange e, FileStorage storage, String app, String key, long maxBytes,
                               HttpServerRequest request) throws IOException {
        String contentType = request.getHeader("Content-Type");
        if (contentType == null || contentType.isBlank()) {
            contentType = "application/octet-stream";
        } else if (contentType.length() > 255 || contentType.chars().anyMatch(Character::isISOControl)) {
            throw ApiProblem.badRequest("Content-Type", "must be a media type of at most 255 characters");
        }
        String md5 = request.getHeader("Content-MD5");
        String md5Hex = null;
        if (md5 != null) {
            try {
                byte[] raw = Base64.getDecoder().decode(md5.trim());
                if (raw.length != 16) {
                    throw new IllegalArgumentException();
                }
                md5Hex = HexFormat.of().formatHex(raw);
            } catch (IllegalArgumentException bad) {
                throw ApiProblem.badRequest("Content-MD5", "must be the base64 of the body's 16-byte MD5");
            }
        }
        String sha = request.getHeader("X-Checksum-SHA256");
        String shaHex = null;
        if (sha != null) {
            sha = sha.trim();
            if (sha.matches("[0-9a-fA-F]{64}")) {
                shaHex = sha.toLowerCase(java.util.Locale.ROOT);
            } else {
                try {
                    byte[] raw = Base64.getDecoder().decode(sha);
                    if (raw.length != 32) {
                        throw new IllegalArgumentException();
                    }
                    shaHex = HexFormat.of().formatHex(raw);
                } catch (IllegalArgumentException bad) {
                    throw ApiProblem.badRequest("X-Checksum-SHA256", "must be the body's SHA-256 in hex or base64");
                }
            }
        }
        Spool.Spooled spooled;
        try (InputStream body = e.getIn().getBody(InputStream.class)) {
            spooled = Spool.spool(body == null ? InputStream.nullInputStream() : body, storage.spoolFolder(),
                    new FileStorage.Expected(maxBytes, md5Hex, shaHex));
        }
        // with an Idempotency-Key, the same upload (key, type and bytes) again is the first answer again; another
        // upload with the key is a 422 and stores nothing
        String idempotencyKey = request.getHeader(io.integrationhub.api.Idempotency.HEADER);
        String scope = null;
        io.integrationhub.api.Idempotency idempotency = null;
        if (idempotencyKey != null && Callers.tryOf(e).isPresent()) {
            try {
                io.integrationhub.api.Idempotency.validateKey(idempotencyKey);
                idempotency = e.getContext().getRegistry().lookupByNameAndType("idempotency", io.integrationhub.api.Idempotency.class);
                scope = Callers.of(e).keyName();
                io.integrationhub.api.Idempotency.Reservation reservation = idempotency.reserve(scope, idempotencyKey,
                        io.integrationhub.api.Idempotency.requestHash("PUT", request.path() + "?app=" + app,
                                contentType + "\n" + spooled.sha256()), Duration.ofMinutes(10));
                if (!reservation.reserved()) {
                    Spool.delete(spooled.path());
                    JsonResponses.respondRaw(e, reservation.replay().status(), reservation.replay().body());
                    return;
                }
            } catch (RuntimeException refused) {
                Spool.delete(spooled.path());
                throw refused;
            }
        }
        StoredFile stored;
        try {
            stored = storage.putSpooled(app, key, spooled, contentType);
        } catch (RuntimeException failed) {
            if (idempotency != null) {
                idempotency.release(scope, idempotencyKey);
            }
            throw failed;
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("key", stored.key());
        answer.put("size", stored.size());
        answer.put("contentType", stored.contentType());
        answer.put("sha256", stored.sha256());
        answer.put("etag", stored.etag());
        if (idempotency != null) {
            idempotency.complete(scope, idempotencyKey, new io.integrationhub.api.Idempotency.StoredResponse(201,
                    JsonResponses.write(answer)));
        }
        JsonResponses.respond(e, 201, answer);
    }

    /** GET or HEAD of a file: written to the response here, in chunks, with Content-Length; Range gives 206. */
    private static void download(Exchange e, FileStorage storage, String app, String key, HttpServerRequest request,
                                 HttpServerResponse response) throws Exception {
        StoredFile file = storage.head(app, key).orElseThrow(() -> FileProblem.notFound(key));
        long start = 0;
        long end = file.size() - 1;
        int status = 200;
        String range = request.getHeader("Range");
        if (range != null && file.size() > 0) {
            long[] bounds = range(range, file.size());
            if (bounds == null) {
                e.getMessage().removeHeaders("*");
                Problems.respond(e, 416, "Range not satisfiable", "the file has " + file.size() + " bytes", null);
                e.getMessage().setHeader("Content-Range", "bytes */" + file.size());
                return;
            }
            start = bounds[0];
            end = bounds[1];
            status = 206;
        }
        long length = file.size() == 0 ? 0 : end - start + 1;
        response.setStatusCode(status);
        response.putHeader("Content-Type", file.contentType());
        response.putHeader("Content-Length", String.valueOf(length));
        response.putHeader("ETag", file.etag());
        response.putHeader("Accept-Ranges", "bytes");
        response.putHeader("Last-Modified", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(file.lastModified().atZone(java.time.ZoneOffset.UTC)));
        if (status == 206) {
            response.putHeader("Content-Range", "bytes " + start + "-" + end + "/" + file.size());
        }
        if (request.method().name().equals("HEAD") || length == 0) {
            response.end();
            return;
        }
        try (InputStream in = storage.open(app, key, start, end)) {
            byte[] buffer = new byte[256 * 1024];
            for (int read = in.read(buffer); read > 0; read = in.read(buffer)) {
                if (response.closed()) {
                    return;
                }
                if (response.writeQueueFull()) {
                    CountDownLatch drained = new CountDownLatch(1);
                    response.drainHandler(ready -> drained.countDown());
                    if (response.writeQueueFull() && !drained.await(60, TimeUnit.SECONDS)) {
                        response.reset();
                        return;
                    }
                }
                response.write(Buffer.buffer(java.util.Arrays.copyOf(buffer, read)));
            }
        }
        response.end();
    }

    /** One byte range of {@code bytes=a-b}, {@code bytes=a-} or {@code bytes=-n}; null when outside the file. */
    static long[] range(String header, long size) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})").matcher(header.trim());
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            return null;
        }
        long start;
        long end;
        if (m.group(1).isEmpty()) {
            long suffix = Long.parseLong(m.group(2));
            if (suffix == 0) {
                return null;
            }
            start = Math.max(0, size - suffix);
            end = size - 1;
        } else {
            start = Long.parseLong(m.group(1));
            end = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
        }
        return start > end || start >= size ? null : new long[] {start, end};
    }

    /** A signed URL followed: {@code /files/<app>/<key>?method=&expires=&signature=}. */
    private static void signed(Exchange e, FileStorage storage, long maxBytes) throws Exception {
        HttpMessage http = e.getIn(HttpMessage.class);
        HttpServerRequest request = http.getRequest();
        String path = request.path();
        String rest = path.startsWith("/files/") ? path.substring("/files/".length()) : "";
        int slash = rest.indexOf('/');
        if (slash <= 0 || !(storage instanceof LocalFiles local)) {
            throw FileProblem.notFound("");
        }
        String app = FileKeys.decode(rest.substring(0, slash), "app");
        String key = FileKeys.fromPath(rest.substring(slash + 1), "key");
        String method = request.method().name();
        String signedFor = method.equals("HEAD") ? "GET" : method;
        if (!signedFor.equals(request.getParam("method")) || !local.signatures().verify(signedFor, app, key,
                request.getParam("expires"), request.getParam("signature"))) {
            throw new ApiProblem(403, "Forbidden", "the signature is not valid for this request, or it has expired");
        }
        switch (signedFor) {
            case "GET" -> download(e, storage, app, key, request, http.getResponse());
            // its Content-Length was checked at the edge (HttpEdge) before the body was read
            case "PUT" -> upload(e, storage, app, key, maxBytes, request);
            default -> throw new ApiProblem(405, "Method not allowed", "a signed URL takes the method it was signed for");
        }
    }
}
