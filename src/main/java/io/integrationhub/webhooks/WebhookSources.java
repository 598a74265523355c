package io.integrationhub.webhooks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.integrationhub.Settings;
import org.apache.camel.CamelContext;

/**
 * The configured webhook sources. {@code stripe}, {@code github}, {@code calendly} and {@code twilio} exist as soon as
 * their secret is set ({@code STRIPE_WEBHOOK_SECRET}, {@code GITHUB_WEBHOOK_SECRET},
 * {@code CALENDLY_WEBHOOK_SIGNING_KEY}, {@code TWILIO_AUTH_TOKEN}). Any other source is declared by configuration
 * alone: {@code webhooks.<name>.scheme} and {@code webhooks.<name>.secret} (comma-separated for a rotation), or the
 * environment's {@code WEBHOOKS_<NAME>_SCHEME} and {@code WEBHOOKS_<NAME>_SECRET} (the name in lower case, {@code _}
 * read as {@code -}), with the scheme's options ({@code header}, {@code algorithm}, {@code encoding}, {@code prefix},
 * {@code timestamp-header}, {@code id-header}, {@code tolerance-seconds}).
 */
public final class WebhookSources {

    public static final String BEAN = "webhookSources";
    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern PROPERTY = Pattern.compile("webhooks\\.([^.]+)\\.scheme");
    private static final Pattern VARIABLE = Pattern.compile("WEBHOOKS_([A-Z0-9_]+)_SCHEME");
    private static final Map<String, String> BUILT_IN_SECRETS = Map.of(
            "stripe", "stripe.webhook-secret",
            "github", "github.webhook-secret",
            "calendly", "calendly.webhook-signing-key",
            "twilio", "twilio.auth-token");

    private final Map<String, WebhookSource> sources;

    public WebhookSources(Map<String, WebhookSource> sources) {
        this.sources = Collections.unmodifiableMap(new TreeMap<>(sources));
    }

    public Optional<WebhookSource> find(String name) {
        return Optional.ofNullable(sources.get(name));
    }

    public Set<String> names() {
        return sources.keySet();
    }

    /** The environment variable that makes {@code name} a source: its built-in secret, or its declaration. */
    static String secretSetting(String name) {
        String builtIn = BUILT_IN_SECRETS.get(name);
        return builtIn != null ? Settings.variable(builtIn)
                : "WEBHOOKS_" + name.toUpperCase(Locale.ROOT).replace('-', '_') + "_SCHEME and _SECRET";
    }

    /** The hub's sources, read once at start from its settings and environment. */
    public static WebhookSources load(CamelContext camelContext) {
        Duration tolerance = Duration.ofSeconds(Settings.number(camelContext, "hub.webhooks.tolerance-seconds"));
        Map<String, WebhookSource> sources = new TreeMap<>();
        Set<String> declared = new TreeSet<>();
        for (Object key : camelContext.getPropertiesComponent().loadPropertiesAsMap().keySet()) {
            Matcher matcher = PROPERTY.matcher(String.valueOf(key));
            if (matcher.matches()) {
                declared.add(matcher.group(1));
            }
        }
        for (String variable : System.getenv().keySet()) {
            Matcher matcher = VARIABLE.matcher(variable);
            if (matcher.matches()) {
                declared.add(matcher.group(1).toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        }
        for (String name : declared) {
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("webhook source name '" + name + "' must be lower-case letters, "
                        + "digits and dashes (at most 63)");
            }
            String prefix = "webhooks." + name + ".";
            String scheme = Settings.optional(camelContext, prefix + "scheme").toLowerCase(Locale.ROOT);
            if (scheme.isEmpty()) {
                continue;
            }
            List<String> secrets = secrets(Settings.optional(camelContext, prefix + "secret"));
            if (secrets.isEmpty()) {
                // no secret, no source: never an unverified event
                continue;
            }
            String toleranceSetting = Settings.optional(camelContext, prefix + "tolerance-seconds");
            Duration own = toleranceSetting.isEmpty() ? tolerance
                    : Duration.ofSeconds(Settings.parseNumber(prefix + "tolerance-seconds", toleranceSetting));
            SignatureScheme signatures = scheme(camelContext, name, scheme, own);
            String idHeader = Settings.optional(camelContext, prefix + "id-header");
            sources.put(name, new WebhookSource(name, scheme, signatures, secrets, idHeader.isEmpty() ? null : idHeader));
        }
        BUILT_IN_SECRETS.forEach((name, key) -> {
            List<String> secrets = secrets(Settings.optional(camelContext, key));
            if (!secrets.isEmpty() && !sources.containsKey(name)) {
                sources.put(name, new WebhookSource(name, name, scheme(camelContext, name, name, tolerance), secrets, null));
            }
        });
        return new WebhookSources(sources);
    }

    /** How the source {@code name} signs: its scheme, with that scheme's options from its settings. */
    private static SignatureScheme scheme(CamelContext camelContext, String name, String scheme, Duration tolerance) {
        String prefix = "webhooks." + name + ".";
        return switch (scheme) {
            case "stripe" -> TimestampedSignatureScheme.stripe(tolerance);
            case "calendly" -> TimestampedSignatureScheme.calendly(tolerance);
            case "standard" -> new StandardWebhooksScheme(tolerance);
            case "github" -> HmacScheme.github();
            case "twilio" -> new TwilioScheme();
            case "hmac" -> new HmacScheme(Settings.optional(camelContext, prefix + "header"),
                    orDefault(Settings.optional(camelContext, prefix + "algorithm"), "sha256"),
                    orDefault(Settings.optional(camelContext, prefix + "encoding"), "hex"),
                    Settings.optional(camelContext, prefix + "prefix"),
                    Settings.optional(camelContext, prefix + "timestamp-header"), tolerance);
            default -> throw new IllegalArgumentException("webhooks." + name + ".scheme must be stripe, github, "
                    + "calendly, twilio, standard or hmac, not '" + scheme + "'");
        };
    }

    private static String orDefault(String value, String otherwise) {
        return value.isEmpty() ? otherwise : value;
    }

    private static List<String> secrets(String setting) {
        List<String> secrets = new ArrayList<>();
        Arrays.stream(setting.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(secrets::add);
        return secrets;
    }
}
