package io.integrationhub.email;

import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.internet.InternetAddress;
import io.integrationhub.delivery.DeliveryResult;
import io.integrationhub.delivery.PermanentDeliveryException;
import io.integrationhub.delivery.TransientDeliveryException;
import org.apache.camel.RuntimeCamelException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How SMTP failures are read, as Jakarta Mail reports them: replies nested in a {@link SendFailedException} (one
 * per refused recipient, chained with getNextException) and wrapped by Camel. A 4xx is retried, a 5xx is final, the
 * server's reply text is kept, and a mail the server took for some recipients is sent with the refused ones named.
 */
class SmtpOutcomeTest {

    private static final InternetAddress ANN = address("ann@example.com");
    private static final InternetAddress BOB = address("bob@example.com");

    @Test
    void greylistingOfTheOnlyRecipientIsRetriedWithTheServersReply() {
        SendFailedException failed = new SendFailedException("Invalid Addresses",
                new SMTPAddressFailedException(ANN, "RCPT TO:<ann@example.com>", 451,
                        "451 4.7.1 Greylisted, please try again later"),
                new Address[0], new Address[0], new Address[] {ANN});

        assertThatThrownBy(() -> SmtpEmailRoutes.outcome(new RuntimeCamelException(failed)))
                .isInstanceOfSatisfying(TransientDeliveryException.class, e -> assertThat(e.getMessage())
                        .contains("SMTP 451").contains("Greylisted, please try again later"));
    }

    @Test
    void aRefusedOnlyRecipientIsFinalWithTheServersReply() {
        SendFailedException failed = new SendFailedException("Invalid Addresses",
                new SMTPAddressFailedException(ANN, "RCPT TO:<ann@example.com>", 550, "550 5.1.1 No such user"),
                new Address[0], new Address[0], new Address[] {ANN});

        assertThatThrownBy(() -> SmtpEmailRoutes.outcome(failed))
                .isInstanceOfSatisfying(PermanentDeliveryException.class, e -> assertThat(e.getMessage())
                        .contains("SMTP 550").contains("No such user"));
    }

    @Test
    void aMailTakenForSomeRecipientsIsSentAndNamesTheRefusedOnesMasked() {
        SendFailedException partial = new SendFailedException("Invalid Addresses",
                new SMTPAddressFailedException(BOB, "RCPT TO:<bob@example.com>", 550, "550 5.1.1 No such user"),
                new Address[] {ANN}, new Address[0], new Address[] {BOB});

        DeliveryResult result = SmtpEmailRoutes.outcome(new MessagingException("wrapped", partial));

        assertThat(result.provider()).isEqualTo("email-smtp");
        assertThat(result.warning()).contains("sent to 1 recipient(s)").contains("b***@example.com")
                .contains("SMTP 550").doesNotContain("bob@example.com");
    }

    @Test
    void aTemporaryRefusalOfTheWholeMailIsRetried() {
        SMTPSendFailedException busy = new SMTPSendFailedException("DATA", 421, "421 4.3.2 Service not available",
                null, new Address[0], new Address[0], new Address[0]);

        assertThatThrownBy(() -> SmtpEmailRoutes.outcome(busy)).isInstanceOf(TransientDeliveryException.class)
                .hasMessageContaining("SMTP 421");
    }

    @Test
    void authenticationFailuresAreFinalUnlessTheServerSaysTemporary() {
        assertThatThrownBy(() -> SmtpEmailRoutes.outcome(new AuthenticationFailedException("535 5.7.8 bad credentials")))
                .isInstanceOf(PermanentDeliveryException.class).hasMessageNotContaining("credentials bad");
        assertThatThrownBy(() -> SmtpEmailRoutes.outcome(new AuthenticationFailedException("454 4.7.0 try later")))
                .isInstanceOf(TransientDeliveryException.class);
    }

    @Test
    void anUnreachableServerIsTransient() {
        assertThatThrownBy(() -> SmtpEmailRoutes.outcome(new MessagingException("Couldn't connect to host",
                new java.net.ConnectException("Connection refused")))).isInstanceOf(TransientDeliveryException.class)
                .hasMessageContaining("unreachable");
    }

    private static InternetAddress address(String value) {
        try {
            return new InternetAddress(value);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
