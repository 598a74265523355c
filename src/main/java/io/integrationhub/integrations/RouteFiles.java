package io.integrationhub.integrations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.FailedToCreateRouteException;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.Route;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The YAML integrations in the routes folder ({@code hub.routes-dir}), loaded at start and, while the hub runs,
 * reloaded when a file is added, changed or removed. A file is applied whole or not at all: its new version is
 * parsed first (a syntax error touches nothing), then its running routes are replaced; when the new routes fail to
 * start, they are removed and the previous version is started again. Either way the outcome is kept per file
 * (loaded or failed, its routes, the error with its line) for the integrations API and logged.
 */
public final class RouteFiles {

    public static final String BEAN = "routeFiles";
    static final String SUFFIX = ".camel.yaml";
    private static final Logger LOG = LoggerFactory.getLogger(RouteFiles.class);
    private static final Pattern LINE = Pattern.compile("line (\\d+)");

    /** One file's state: what runs from it now, and how its last change went. */
    public record FileState(String file, String status, List<String> routeIds, String error, Integer line,
            Instant loadedAt, Instant changedAt) {
    }

    private static final class Tracked {
        String fingerprint;         // of the last version tried (loaded or not)
        long modified;
        long size;
        String runningContent;      // the version whose routes run now (null: none)
        List<String> routeIds = List.of();
        String error;
        Integer line;
        Instant loadedAt;
        Instant changedAt;
    }

    private final CamelContext context;
    private final Path folder;
    private final Clock clock;
    private final Map<String, Tracked> files = new TreeMap<>();
    private volatile Instant lastReloadAt;
    private volatile boolean loaded;

    /** Whether the files were loaded once (at start); before that the hub is not ready. */
    public boolean isLoaded() {
        return loaded;
    }

    public RouteFiles(CamelContext context, Path folder, Clock clock) {
        this.context = context;
        this.folder = folder.toAbsolutePath().normalize();
        this.clock = clock;
    }

    public Path folder() {
        return folder;
    }

    /** When a file was last applied or refused (the start counts); null before the first. */
    public Instant lastReloadAt() {
        return lastReloadAt;
    }

    /** Every file seen in the folder, by name. */
    public synchronized List<FileState> files() {
        List<FileState> states = new ArrayList<>();
        files.forEach((name, t) -> states.add(new FileState(name, t.error == null ? "loaded" : "failed",
                List.copyOf(t.routeIds), t.error, t.line, t.loadedAt, t.changedAt)));
        return states;
    }

    /**
     * Applies what changed in the folder since the last call: new and changed files (once their last write is a
     * moment old, so a file still being written is taken whole), and removed ones.
     */
    public synchronized void scan() {
        Map<String, Path> present = new LinkedHashMap<>();
        if (Files.isDirectory(folder)) {
            try (Stream<Path> list = Files.list(folder)) {
                list.filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
                        .sorted().forEach(p -> present.put(p.getFileName().toString(), p));
            } catch (IOException e) {
                LOG.warn("Cannot list the routes folder {}: {}", folder, e.getMessage());
                loaded = true;
                return;
            }
        }
        for (String gone : new ArrayList<>(files.keySet())) {
            if (!present.containsKey(gone)) {
                remove(gone);
            }
        }
        long now = clock.millis();
        present.forEach((name, path) -> {
            try {
                long modified = Files.getLastModifiedTime(path).toMillis();
                long size = Files.size(path);
                Tracked tracked = files.get(name);
                if (tracked != null && tracked.modified == modified && tracked.size == size) {
                    return;
                }
                if (tracked != null && now - modified < SETTLE_MILLIS) {
                    // still being written, perhaps: the next scan takes it
                    return;
                }
                String content = Files.readString(path, StandardCharsets.UTF_8);
                String fingerprint = fingerprint(content);
                if (tracked == null) {
                    tracked = new Tracked();
                    files.put(name, tracked);
                }
                tracked.modified = modified;
                tracked.size = size;
                if (fingerprint.equals(tracked.fingerprint)) {
                    return;
                }
                tracked.fingerprint = fingerprint;
                apply(name, path, content, tracked);
            } catch (NoSuchFileException removedMeanwhile) {
                // the next scan sees it gone
            } catch (IOException e) {
                LOG.warn("Cannot read {}: {}", name, e.getMessage());
            }
        });
        loaded = true;
    }

    /** A file written this recently may not be complete yet (changed files only; at start every file is taken). */
    static final long SETTLE_MILLIS = 200;

    private void apply(String name, Path path, String content, Tracked tracked) {
        Instant now = clock.instant();
        tracked.changedAt = now;
        lastReloadAt = now;
        String location = location(path);
        Collection<RoutesBuilder> builders;
        try {
            builders = parse(location, content);
        } catch (Exception e) {
            refused(name, tracked, e, null);
            return;
        }
        List<String> previous = tracked.routeIds;
        removeRoutesOf(location);
        try {
            for (RoutesBuilder builder : builders) {
                context.addRoutes(builder);
            }
            tracked.routeIds = routeIdsOf(location);
            tracked.runningContent = content;
            tracked.error = null;
            tracked.line = null;
            tracked.loadedAt = now;
            LOG.info("Routes of {} {}: {}", name, previous.isEmpty() ? "loaded" : "reloaded", tracked.routeIds);
        } catch (Exception e) {
            Integer line = lineOfFailedRoute(e, location);
            removeRoutesOf(location);
            restore(name, location, tracked);
            refused(name, tracked, e, line);
        }
    }

    /** Starts the version of a file that ran before its refused change again. */
    private void restore(String name, String location, Tracked tracked) {
        tracked.routeIds = List.of();
        if (tracked.runningContent == null) {
            return;
        }
        try {
            for (RoutesBuilder builder : parse(location, tracked.runningContent)) {
                context.addRoutes(builder);
            }
            tracked.routeIds = routeIdsOf(location);
        } catch (Exception e) {
            // it ran a moment ago; what stops it now (another file took its route id, say) is logged
            LOG.error("The previous version of {} could not be started again: {}", name, e.getMessage());
            removeRoutesOf(location);
        }
    }

    private void refused(String name, Tracked tracked, Exception e, Integer routeLine) {
        Integer line = routeLine != null ? routeLine : lineOf(e);
        tracked.error = reason(e);
        tracked.line = line;
        LOG.error("{}{} was not applied: {}. {}", name, line == null ? "" : " (line " + line + ")", tracked.error,
                tracked.routeIds.isEmpty() ? "No route of it runs." : "Its previous version keeps running: "
                        + tracked.routeIds);
    }

    private void remove(String name) {
        Tracked tracked = files.remove(name);
        removeRoutesOf(location(folder.resolve(name)));
        lastReloadAt = clock.instant();
        LOG.info("{} was removed: its routes {} are stopped", name, tracked == null ? List.of() : tracked.routeIds);
    }

    private Collection<RoutesBuilder> parse(String location, String content) throws Exception {
        Resource resource = ResourceHelper.fromString(location, content);
        return PluginHelper.getRoutesLoader(context).findRoutesBuilders(List.of(resource));
    }

    private List<String> routeIdsOf(String location) {
        List<String> ids = new ArrayList<>();
        for (Route route : context.getRoutes()) {
            if (route.getSourceResource() != null && location.equals(route.getSourceResource().getLocation())) {
                ids.add(route.getRouteId());
            }
        }
        return ids;
    }

    /** Stops and removes every route (and REST definition) a file made, whatever state it got to. */
    private void removeRoutesOf(String location) {
        ModelCamelContext model = (ModelCamelContext) context;
        List<RouteDefinition> definitions = new ArrayList<>();
        for (RouteDefinition definition : model.getRouteDefinitions()) {
            if (definition.getResource() != null && location.equals(definition.getResource().getLocation())) {
                definitions.add(definition);
            }
        }
        List<String> ids = new ArrayList<>(routeIdsOf(location));
        for (RouteDefinition definition : definitions) {
            if (definition.getRouteId() != null && !ids.contains(definition.getRouteId())) {
                ids.add(definition.getRouteId());
            }
        }
        for (String id : ids) {
            try {
                context.getRouteController().stopRoute(id);
            } catch (Exception e) {
                LOG.debug("Stopping route {}: {}", id, e.getMessage());
            }
        }
        try {
            model.removeRouteDefinitions(definitions);
        } catch (Exception e) {
            LOG.debug("Removing the definitions of {}: {}", location, e.getMessage());
        }
        for (String id : ids) {
            try {
                if (context.getRoute(id) != null) {
                    context.removeRoute(id);
                }
            } catch (Exception e) {
                LOG.warn("Route {} could not be removed: {}", id, e.getMessage());
            }
        }
        model.getRestDefinitions().removeIf(rest -> rest.getResource() != null
                && location.equals(rest.getResource().getLocation()));
    }

    /** The line of the route that failed to be created or started, from its definition. */
    private Integer lineOfFailedRoute(Exception e, String location) {
        String routeId = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FailedToCreateRouteException created) {
                routeId = created.getRouteId();
                break;
            }
            if (t instanceof FailedToStartRouteException started) {
                routeId = started.getRouteId();
                break;
            }
        }
        if (routeId == null) {
            return null;
        }
        RouteDefinition definition = ((ModelCamelContext) context).getRouteDefinition(routeId);
        if (definition == null || definition.getResource() == null
                || !location.equals(definition.getResource().getLocation())) {
            return null;
        }
        // the step Camel names (">>> To[nosuchcomponent:x] <<<"), else the route
        Matcher at = FAILED_AT.matcher(String.valueOf(e.getMessage()));
        if (at.find()) {
            Integer line = lineOfStep(definition.getOutputs(), at.group(1));
            if (line != null) {
                return line;
            }
        }
        return definition.getLineNumber() < 0 ? null : definition.getLineNumber();
    }

    private static final Pattern FAILED_AT = Pattern.compile(">>> (.+?) <<<");

    private static Integer lineOfStep(List<? extends org.apache.camel.model.ProcessorDefinition<?>> steps, String label) {
        for (org.apache.camel.model.ProcessorDefinition<?> step : steps) {
            if (label.equals(step.toString()) && step.getLineNumber() >= 0) {
                return step.getLineNumber();
            }
            Integer inner = lineOfStep(step.getOutputs(), label);
            if (inner != null) {
                return inner;
            }
        }
        return null;
    }

    /** The first line number any message of the failure names ("line 12, column 5"). */
    static Integer lineOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                Matcher matcher = LINE.matcher(t.getMessage());
                if (matcher.find()) {
                    return Integer.valueOf(matcher.group(1));
                }
            }
        }
        return null;
    }

    /**
     * What is wrong, in a line: the deepest cause's message (Camel's own wrappers repeat the route), its lines
     * joined, without the excerpt of the file and the caret under it.
     */
    static String reason(Throwable e) {
        Throwable deepest = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                deepest = t;
            }
        }
        String message = deepest.getMessage() == null ? deepest.getClass().getSimpleName() : deepest.getMessage();
        StringBuilder reason = new StringBuilder();
        for (String line : message.split("\\R")) {
            String text = line.strip();
            if (text.isEmpty() || text.matches("\\^+") || line.startsWith("    ")) {
                continue;
            }
            if (reason.length() > 0) {
                reason.append("; ");
            }
            reason.append(text);
        }
        // a URI in the message keeps no secret (password=, apiKey=, token= ... masked)
        String text = org.apache.camel.util.URISupport.sanitizeUri(reason.toString());
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }

    private static String location(Path path) {
        return "file:" + path.toAbsolutePath().normalize().toString().replace('\\', '/');
    }

    private static String fingerprint(String content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(content.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
