package io.integrationhub.integrations;

import io.integrationhub.delivery.InvalidMessageException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChecksTest {

    private final Checks check = new Checks();

    @Test
    void anEmailAddressIsRequiredOnOneLine() {
        assertThatCode(() -> check.email("ann@example.com", "email")).doesNotThrowAnyException();
        for (Object bad : new Object[] {null, "", " ", 5, "not an address", "ann@example.com\r\nBcc: eve@example.com"}) {
            assertThatThrownBy(() -> check.email(bad, "email")).as(String.valueOf(bad))
                    .isInstanceOf(InvalidMessageException.class).hasMessageStartingWith("email: ");
        }
    }

    @Test
    void textIsOptionalBoundedAndOnOneLine() {
        assertThatCode(() -> check.text(null, "name", 5)).doesNotThrowAnyException();
        assertThatCode(() -> check.text("Ann", "name", 5)).doesNotThrowAnyException();
        for (Object bad : new Object[] {"Annabelle", 7, "Ann\nB", "A\tB"}) {
            assertThatThrownBy(() -> check.text(bad, "name", 5)).as(String.valueOf(bad))
                    .isInstanceOf(InvalidMessageException.class).hasMessageStartingWith("name: ");
        }
    }
}
