package io.integrationhub.security;

import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class SenderDomainsTest {

    @ParameterizedTest
    @CsvSource({
            "example.com, example.com",
            "Example.COM, example.com",
            "mail.shop.example, mail.shop.example",
            "xn--bcher-kva.example, xn--bcher-kva.example",
            "bücher.example, xn--bcher-kva.example",
            "a-b.c0, a-b.c0",
    })
    void domainsAreKeptInTheirAsciiLowerCaseForm(String given, String stored) {
        assertThat(SenderDomains.normalize(given)).hasValue(stored);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "localhost", "example", "a@example.com", "-a.example", "a-.example", "example.123",
            "exa mple.com", "example..com", ".example.com", "example.com.", "exa_mple.com", "example.com\n", "*.example.com"})
    void otherValuesAreNotDomains(String given) {
        assertThat(SenderDomains.normalize(given)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void tooLongLabelsAndNamesAreNotDomains() {
        assertThat(SenderDomains.normalize("a".repeat(63) + ".example")).isPresent();
        assertThat(SenderDomains.normalize("a".repeat(64) + ".example")).isEmpty();
        String label = "a".repeat(60) + ".";
        assertThat(SenderDomains.normalize(label.repeat(4) + "example")).as("251 characters").isPresent();
        assertThat(SenderDomains.normalize(label.repeat(5) + "example")).as("312 characters").isEmpty();
    }

    @org.junit.jupiter.api.Test
    void anAddressIsAllowedOnlyAtExactlyAListedDomain() {
        List<String> allowed = List.of("shop.example", "xn--bcher-kva.example");
        assertThat(SenderDomains.allows(allowed, "a@shop.example")).isTrue();
        assertThat(SenderDomains.allows(allowed, "a@SHOP.Example")).isTrue();
        assertThat(SenderDomains.allows(allowed, "a@bücher.example")).isTrue();
        assertThat(SenderDomains.allows(allowed, "a@sub.shop.example")).isFalse();
        assertThat(SenderDomains.allows(allowed, "a@example")).isFalse();
        assertThat(SenderDomains.allows(allowed, "a@shop.example.evil.com")).isFalse();
        assertThat(SenderDomains.allows(allowed, "shop.example@evil.com")).isFalse();
        assertThat(SenderDomains.allows(allowed, "no-at-sign")).isFalse();
        // no list: anyone
        assertThat(SenderDomains.allows(List.of(), "a@anything.example")).isTrue();
    }
}
