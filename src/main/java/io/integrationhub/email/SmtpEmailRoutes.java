package io.integrationhub.email;

import java.lang.reflect.Method;
import java.util.List;

import io.integrationhub.Settings;
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
        boolean ssl = Boolean.parseBoolean(Settings.get(getContext(), "smtp.ssl", "false"));
        String uri = (ssl ? "smtps" : "smtp") + "://" + Settings.get(getContext(), "smtp.host", "localhost") + ":" + Settings.get(getContext(), "smtp.port", "25")
                + "?connectionTimeout=" + Settings.get(getContext(), "smtp.connection-timeout-ms", "10000")
                // with STARTTLS on, it is required: a server (or a man in the middle) that does not offer it gets
                // no credentials in clear text
                + "&mail.smtp.starttls.enable=" + Settings.get(getContext(), "smtp.starttls", "false")
                + "&mail.smtp.starttls.required=" + Settings.get(getContext(), "smtp.starttls", "false")
                + "&mail.smtp.timeout=" + Settings.get(getContext(), "smtp.connection-timeout-ms", "10000");
        MailEndpoint endpoint = getContext().getEndpoint(uri, MailEndpoint.class);
        String username = Settings.get(getContext(), "smtp.username", "");
        if (!username.isEmpty()) {
            endpoint.getConfiguration().setUsername(username);
            endpoint.getConfiguration().setPassword(Settings.get(getContext(), "smtp.password", ""));
        }

        from("direct:" + PROVIDER).routeId(PROVIDER)
                .errorHandler(noErrorHandler())
                // every remaining header would become a MIME header of the mail: start from none
                .removeHeaders("*")
                .process(SmtpEmailRoutes::toMail)
                .doTry()
                    .to(endpoint)
                .doCatch(Exception.class)
                    .process(e -> {
                        throw classify(e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
                    })
                .end()
                .process(e -> e.getMessage().setBody(new DeliveryResult(PROVIDER,
                        e.getMessage().getHeader("Message-ID", String.class))));
    }

    static void toMail(Exchange e) {
        EmailMessage m = e.getProperty(EmailRoutes.MESSAGE_PROPERTY, EmailMessage.class);
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

    /** SMTP replies: 5xx refusals and bad credentials are final; 4xx and connection trouble may pass. */
    static RuntimeException classify(Exception failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthenticationFailedException) {
                // 454 and other 4xx replies to AUTH are temporary (the auth service is down), 535 is final
                return t.getMessage() != null && t.getMessage().trim().matches("4\\d\\d.*")
                        ? new TransientDeliveryException(PROVIDER, "SMTP authentication temporarily failed: "
                                + oneLine(t.getMessage()), null, failure)
                        : new PermanentDeliveryException(PROVIDER, "SMTP authentication failed");
            }
            Integer code = returnCode(t);
            if (code != null) {
                String reason = "SMTP " + code + ": " + oneLine(t.getMessage());
                return code >= 500 ? new PermanentDeliveryException(PROVIDER, reason)
                        : new TransientDeliveryException(PROVIDER, reason, null, failure);
            }
            if (t instanceof SendFailedException) {
                return new PermanentDeliveryException(PROVIDER, "SMTP refused the message: " + oneLine(t.getMessage()));
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MessagingException || t instanceof java.io.IOException) {
                return new TransientDeliveryException(PROVIDER, "SMTP server unreachable: " + oneLine(t.getMessage()), null, failure);
            }
        }
        return new TransientDeliveryException(PROVIDER, failure.getClass().getSimpleName(), null, failure);
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
