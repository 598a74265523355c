package io.integrationhub.email;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import io.integrationhub.Settings;
import io.integrationhub.channel.ChannelRoutes;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.PermanentDeliveryException;
import io.integrationhub.delivery.TransientDeliveryException;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mail.MailConstants;
import org.apache.camel.component.mail.MailEndpoint;

/**
 * SMTP through camel-mail. Credentials are set on the endpoint, never in its URI (which Camel may log). Bcc
 * recipients get the mail through the SMTP envelope; Jakarta Mail never writes a Bcc header.
 */
public class SmtpEmailRoutes extends RouteBuilder {

    static final String PROVIDER = "email-smtp";

    @Override
    public void configure() {
        boolean ssl = Settings.flag(getContext(), "smtp.ssl");
        String starttls = Settings.get(getContext(), "smtp.starttls");
        String timeout = Settings.get(getContext(), "smtp.connection-timeout-ms");
        String uri = (ssl ? "smtps" : "smtp") + "://" + Settings.get(getContext(), "smtp.host") + ":"
                + Settings.get(getContext(), "smtp.port")
                + "?connectionTimeout=" + timeout
                // with STARTTLS on, it is required: a server (or a man in the middle) that does not offer it gets
                // no credentials in clear text
                + "&mail.smtp.starttls.enable=" + starttls
                + "&mail.smtp.starttls.required=" + starttls
                + "&mail.smtp.timeout=" + timeout
                // recipients the server refuses do not stop the mail to the others; they are reported
                + "&mail.smtp.sendpartial=true";
        MailEndpoint endpoint = getContext().getEndpoint(uri, MailEndpoint.class);
        String username = Settings.optional(getContext(), "smtp.username");
        if (!username.isEmpty()) {
            endpoint.getConfiguration().setUsername(username);
            endpoint.getConfiguration().setPassword(Settings.optional(getContext(), "smtp.password"));
        }

        from("direct:" + PROVIDER).routeId(PROVIDER)
                .errorHandler(noErrorHandler())
                // every remaining header would become a MIME header of the mail: start from none
                .removeHeaders("*")
                .process(SmtpEmailRoutes::toMail)
                .doTry()
                    .to(endpoint)
                    .process(e -> e.getMessage().setBody(new DeliveryResult(PROVIDER,
                            e.getMessage().getHeader("Message-ID", String.class))))
                .doCatch(Exception.class)
                    .process(e -> e.getMessage().setBody(outcome(e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class))))
                .end();
    }

    static void toMail(Exchange e) {
        EmailMessage m = e.getProperty(ChannelRoutes.MESSAGE, EmailMessage.class);
        var headers = e.getMessage();
        headers.setHeader(MailConstants.MAIL_FROM, m.from().toInternetAddress().toString());
        headers.setHeader(MailConstants.MAIL_TO, join(m.to()));
        if (!m.cc().isEmpty()) {
            headers.setHeader(MailConstants.MAIL_CC, join(m.cc()));
        }
        if (!m.bcc().isEmpty()) {
            headers.setHeader(MailConstants.MAIL_BCC, join(m.bcc()));
        }
        if (m.replyTo() != null) {
            headers.setHeader(MailConstants.MAIL_REPLY_TO, m.replyTo().toInternetAddress().toString());
        }
        headers.setHeader(MailConstants.MAIL_SUBJECT, m.subject());
        if (m.html() != null) {
            headers.setHeader(MailConstants.MAIL_CONTENT_TYPE, "text/html; charset=UTF-8");
            e.getMessage().setBody(m.html());
            if (m.text() != null) {
                headers.setHeader(MailConstants.MAIL_ALTERNATIVE_BODY, m.text());
            }
        } else {
            headers.setHeader(MailConstants.MAIL_CONTENT_TYPE, "text/plain; charset=UTF-8");
            e.getMessage().setBody(m.text());
        }
    }

    private static String join(List<EmailAddress> addresses) {
        return InternetAddress.toString(addresses.stream().map(EmailAddress::toInternetAddress).toArray(InternetAddress[]::new));
    }

    /**
     * What an SMTP failure means. The server's replies are read from the whole chain, nested ones included (a
     * {@link SendFailedException} carries one exception per refused recipient): when the server took the mail for
     * some recipients, it is sent and the refused ones are reported; a 4xx reply (greylisting, a temporary lookup
     * failure) may pass and is retried; 5xx refusals and bad credentials are final. The server's reply text is kept.
     */
    static DeliveryResult outcome(Exception failure) {
        List<String> replies = new ArrayList<>();
        boolean temporary = false;
        boolean refused = false;
        SendFailedException partial = null;
        for (Throwable t : chain(failure)) {
            if (t instanceof AuthenticationFailedException) {
                // 454 and other 4xx replies to AUTH are temporary (the auth service is down), 535 is final
                if (t.getMessage() != null && t.getMessage().trim().matches("4\\d\\d.*")) {
                    throw new TransientDeliveryException(PROVIDER, "SMTP authentication temporarily failed: "
                            + oneLine(t.getMessage()), null, failure);
                }
                throw new PermanentDeliveryException(PROVIDER, "SMTP authentication failed");
            }
            if (t instanceof SendFailedException sendFailed && partial == null) {
                partial = sendFailed;
            }
            Integer code = returnCode(t);
            if (code != null) {
                String reply = "SMTP " + code + ": " + oneLine(t.getMessage());
                if (!replies.contains(reply)) {
                    replies.add(reply);
                }
                temporary |= code >= 400 && code < 500;
                refused |= code >= 500;
            }
        }
        String reasons = String.join("; ", replies);
        if (partial != null && partial.getValidSentAddresses() != null && partial.getValidSentAddresses().length > 0) {
            return new DeliveryResult(PROVIDER, null, "sent to " + partial.getValidSentAddresses().length
                    + " recipient(s); refused: " + masked(partial) + (reasons.isEmpty() ? "" : " (" + reasons + ")"));
        }
        if (temporary) {
            throw new TransientDeliveryException(PROVIDER, reasons, null, failure);
        }
        if (refused || partial != null) {
            throw new PermanentDeliveryException(PROVIDER, reasons.isEmpty()
                    ? "SMTP refused the message: " + oneLine(partial.getMessage()) : reasons);
        }
        for (Throwable t : chain(failure)) {
            if (t instanceof MessagingException || t instanceof java.io.IOException) {
                throw new TransientDeliveryException(PROVIDER, "SMTP server unreachable: " + oneLine(t.getMessage()), null, failure);
            }
        }
        throw new TransientDeliveryException(PROVIDER, failure.getClass().getSimpleName(), null, failure);
    }

    /** The causes, and the exceptions a MessagingException chains with getNextException, each once. */
    private static List<Throwable> chain(Throwable failure) {
        List<Throwable> all = new ArrayList<>();
        Deque<Throwable> todo = new ArrayDeque<>(List.of(failure));
        while (!todo.isEmpty() && all.size() < 50) {
            Throwable t = todo.pop();
            if (all.stream().anyMatch(seen -> seen == t)) {
                continue;
            }
            all.add(t);
            if (t.getCause() != null) {
                todo.add(t.getCause());
            }
            if (t instanceof MessagingException m && m.getNextException() != null) {
                todo.add(m.getNextException());
            }
        }
        return all;
    }

    private static String masked(SendFailedException partial) {
        List<String> refused = new ArrayList<>();
        for (jakarta.mail.Address[] group : new jakarta.mail.Address[][] {partial.getInvalidAddresses(), partial.getValidUnsentAddresses()}) {
            if (group != null) {
                for (jakarta.mail.Address address : group) {
                    try {
                        refused.add(EmailAddress.parse(address.toString()).masked());
                    } catch (IllegalArgumentException e) {
                        refused.add("***");
                    }
                }
            }
        }
        return String.join(", ", refused);
    }

    /** The SMTP reply code of Angus Mail's SMTP exceptions, read without tying the hub to their classes. */
    private static Integer returnCode(Throwable t) {
        try {
            Method method = t.getClass().getMethod("getReturnCode");
            Object value = method.invoke(t);
            return value instanceof Integer i && i > 0 ? i : null;
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    private static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        String line = message.replaceAll("\\s+", " ").trim();
        return line.length() > 300 ? line.substring(0, 300) : line;
    }

}
