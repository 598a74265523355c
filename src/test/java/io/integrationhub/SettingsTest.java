package io.integrationhub;

import java.io.InputStream;
import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The defaults ship on the classpath, so a hub started from any folder has them: the embedded store's write
 * setting above all, without which an acknowledged request does not survive kill -9.
 */
class SettingsTest {

    @Test
    void theDefaultsOnTheClasspathKeepTheEmbeddedStoresCommitsDurable() throws Exception {
        Properties defaults = new Properties();
        try (InputStream in = SettingsTest.class.getResourceAsStream("/application.properties")) {
            assertThat(in).as("application.properties on the classpath").isNotNull();
            defaults.load(in);
        }
        assertThat(defaults.getProperty("db.url")).isEqualTo("jdbc:sqlite:data/hub.db");
        assertThat(defaults.getProperty("delivery.retry-schedule")).isNotBlank();
        assertThat(defaults.getProperty("email.provider")).isEqualTo("console");
        assertThat(defaults.getProperty("sms.provider")).isEqualTo("console");
        // secrets have no default
        for (String secret : new String[] {"hub.admin-key", "twilio.auth-token", "sendgrid.api-key", "resend.api-key",
                "smtp.password"}) {
            assertThat(defaults.getProperty(secret)).as(secret).isEmpty();
        }
    }

    @ParameterizedTest
    @CsvSource({"250ms, 250", "5s, 5000", "30m, 1800000", "2h, 7200000", "1d, 86400000", " 5S , 5000"})
    void durationsAreReadWithTheirUnits(String text, long millis) {
        assertThat(Settings.parseDuration("k", text)).isEqualTo(Duration.ofMillis(millis));
    }

    @Test
    void aBadDurationNamesTheSetting() {
        assertThatThrownBy(() -> Settings.parseDuration("sms.retry-schedule", "5 minutes"))
                .hasMessageContaining("sms.retry-schedule").hasMessageContaining("5 minutes");
    }

    @Test
    void theVariableOfAKeyIsItsUpperCaseName() {
        assertThat(Settings.variable("email.smtp.rate")).isEqualTo("EMAIL_SMTP_RATE");
        assertThat(Settings.variable("breaker.sms-twilio.sliding-window-size")).isEqualTo("BREAKER_SMS_TWILIO_SLIDING_WINDOW_SIZE");
    }
}
