package io.integrationhub.integrations;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import io.integrationhub.Settings;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import org.apache.camel.CamelContext;

/**
 * A provider's lightweight authenticated call, to tell whether its credentials work: Twilio's account, SendGrid's
 * key scopes, Resend's domains, an SMTP connection with its login, Stripe's balance. The answer never carries a credential, nor what
 * the provider said beyond its status.
 */
public final class ConnectionTests {

    /** The providers that can be tested, by the name the API takes. */
    public static final List<String> PROVIDERS = List.of("twilio", "sendgrid", "resend", "smtp", "stripe", "s3");

    /** What a test found: {@code ok}, or why not ({@code refused}: the credentials; {@code unreachable}; ...). */
    public record Outcome(String provider, boolean ok, String result, String detail, long millis) {

        public Map<String, Object> view() {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("provider", provider);
            view.put("ok", ok);
            view.put("result", result);
            view.put("detail", detail);
            view.put("millis", millis);
            return view;
        }
    }

    /** A provider the API knows, whose credentials are not set: nothing to test. */
    public static final class NotConfigured extends RuntimeException {
        public NotConfigured(String message) {
            super(message);
        }
    }

    private final CamelContext context;
    private final HttpClient http;

    public ConnectionTests(CamelContext context) {
        this.context = context;
        this.http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofMillis(Settings.number(context, "http.connect-timeout-ms"))).build();
    }

    public Outcome test(String provider) {
        long start = System.nanoTime();
        Outcome outcome = switch (provider) {
            case "twilio" -> twilio();
            case "sendgrid" -> bearer("sendgrid", "sendgrid.api-key", "sendgrid.base-url", "/v3/scopes");
            case "resend" -> bearer("resend", "resend.api-key", "resend.base-url", "/domains");
            case "smtp" -> smtp();
            // the balance: the lightest read every secret and restricted key with any read access may make
            case "stripe" -> bearer("stripe", "stripe.secret-key", "stripe.base-url", "/v1/balance");
            case "s3" -> s3();
            default -> throw new IllegalArgumentException(provider);
        };
        return new Outcome(outcome.provider(), outcome.ok(), outcome.result(), outcome.detail(),
                (System.nanoTime() - start) / 1_000_000);
    }

    private Outcome twilio() {
        String sid = required("twilio.account-sid", "twilio");
        String token = required("twilio.auth-token", "twilio");
        String basic = Base64.getEncoder().encodeToString((sid + ":" + token).getBytes(StandardCharsets.UTF_8));
        return http("twilio", Settings.get(context, "twilio.base-url") + "/2010-04-01/Accounts/" + sid + ".json",
                "Basic " + basic);
    }

    private Outcome bearer(String provider, String keySetting, String baseUrlSetting, String path) {
        String key = required(keySetting, provider);
        return http(provider, Settings.get(context, baseUrlSetting) + path, "Bearer " + key);
    }

    private Outcome http(String provider, String url, String authorization) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET()
                .timeout(Duration.ofMillis(Settings.number(context, "http.response-timeout-ms")))
                .header("Authorization", authorization).header("Accept", "application/json").build();
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status >= 200 && status < 300) {
                return new Outcome(provider, true, "ok", "the credentials work (HTTP " + status + ")", 0);
            }
            if (status == 401 || status == 403) {
                return new Outcome(provider, false, "refused", "the provider refused the credentials (HTTP "
                        + status + ")", 0);
            }
            return new Outcome(provider, false, "error", "the provider answered HTTP " + status, 0);
        } catch (java.io.IOException e) {
            return new Outcome(provider, false, "unreachable", "no answer from " + URI.create(url).getHost()
                    + ": " + e.getClass().getSimpleName(), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(provider, false, "unreachable", "interrupted", 0);
        }
    }

    /** The configured bucket, looked at with the configured credentials (HeadBucket). */
    private Outcome s3() {
        software.amazon.awssdk.services.s3.S3Client s3 = context.getRegistry().lookupByNameAndType("hubS3Client",
                software.amazon.awssdk.services.s3.S3Client.class);
        if (s3 == null) {
            throw new NotConfigured("s3 is not configured: STORAGE_PROVIDER is not s3");
        }
        String bucket = Settings.get(context, "s3.bucket");
        try {
            s3.headBucket(b -> b.bucket(bucket));
            return new Outcome("s3", true, "ok", "the credentials reach the bucket", 0);
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() == 401 || e.statusCode() == 403) {
                return new Outcome("s3", false, "refused", "the provider refused the credentials (HTTP " + e.statusCode() + ")", 0);
            }
            if (e.statusCode() == 404) {
                return new Outcome("s3", false, "error", "the bucket does not exist", 0);
            }
            return new Outcome("s3", false, "error", "the provider answered HTTP " + e.statusCode(), 0);
        } catch (software.amazon.awssdk.core.exception.SdkClientException e) {
            return new Outcome("s3", false, "unreachable", "no answer from the storage provider", 0);
        }
    }

    private Outcome smtp() {
        String host = Settings.get(context, "smtp.host");
        int port = (int) Settings.number(context, "smtp.port");
        boolean ssl = Settings.flag(context, "smtp.ssl");
        String protocol = ssl ? "smtps" : "smtp";
        String timeout = Settings.get(context, "smtp.connection-timeout-ms");
        Properties properties = new Properties();
        properties.put("mail." + protocol + ".connectiontimeout", timeout);
        properties.put("mail." + protocol + ".timeout", timeout);
        String starttls = Settings.get(context, "smtp.starttls");
        properties.put("mail.smtp.starttls.enable", starttls);
        properties.put("mail.smtp.starttls.required", starttls);
        String username = Settings.optional(context, "smtp.username");
        properties.put("mail." + protocol + ".auth", String.valueOf(!username.isEmpty()));
        try {
            Transport transport = Session.getInstance(properties).getTransport(protocol);
            try {
                transport.connect(host, port, username.isEmpty() ? null : username,
                        username.isEmpty() ? null : Settings.optional(context, "smtp.password"));
            } finally {
                if (transport.isConnected()) {
                    transport.close();
                }
            }
            return new Outcome("smtp", true, "ok", username.isEmpty() ? "connected (no login configured)"
                    : "connected and logged in", 0);
        } catch (AuthenticationFailedException e) {
            return new Outcome("smtp", false, "refused", "the server refused the login", 0);
        } catch (MessagingException e) {
            return new Outcome("smtp", false, "unreachable", "no SMTP session with " + host + ":" + port + ": "
                    + e.getClass().getSimpleName(), 0);
        }
    }

    private String required(String setting, String provider) {
        String value = Settings.optional(context, setting);
        if (value.isEmpty()) {
            throw new NotConfigured(provider + " is not configured: " + Settings.variable(setting) + " is not set");
        }
        return value;
    }
}
