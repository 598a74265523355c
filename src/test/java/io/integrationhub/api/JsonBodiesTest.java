package io.integrationhub.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.converter.stream.InputStreamCache;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class JsonBodiesTest {

    private static final byte[] BODY = "{\"to\": [\"ann@example.com\"], \"subject\": \"Hi\"}".getBytes(StandardCharsets.UTF_8);

    private static Exchange request(String contentType, Object body) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType);
        exchange.getMessage().setBody(body);
        return exchange;
    }

    @Test
    void aBodyKeptInMemoryIsReadAndLeftReadableForTheNextReader() throws Exception {
        Exchange exchange = request("application/json", new InputStreamCache(BODY));

        JsonNode node = JsonBodies.readObject(exchange);

        assertEquals("Hi", node.get("subject").asText());
        // what reads the body next (a second look, an error handler) still gets all of it
        assertEquals("Hi", JsonBodies.readObject(exchange).get("subject").asText());
        assertArrayEquals(BODY, exchange.getMessage().getBody(java.io.InputStream.class).readAllBytes());
    }

    @Test
    void bodiesOfOtherTypesAreConverted() {
        assertEquals("Hi", JsonBodies.readObject(request("application/json", BODY)).get("subject").asText());
        assertEquals("Hi", JsonBodies.readObject(request("application/json", new String(BODY, StandardCharsets.UTF_8)))
                .get("subject").asText());
        assertEquals("Hi", JsonBodies.readObject(request("application/json", new java.io.BufferedInputStream(
                new ByteArrayInputStream(BODY)))).get("subject").asText());
    }

    @Test
    void theContentTypeMustBeJsonWithAnyParameters() {
        assertEquals("Hi", JsonBodies.readObject(request("Application/JSON; charset=utf-8", BODY)).get("subject").asText());
        ApiProblem wrong = assertThrows(ApiProblem.class, () -> JsonBodies.readObject(request("text/plain", BODY)));
        assertEquals(415, wrong.status());
        ApiProblem lookalike = assertThrows(ApiProblem.class,
                () -> JsonBodies.readObject(request("application/jsonx", BODY)));
        assertEquals(415, lookalike.status());
        ApiProblem none = assertThrows(ApiProblem.class, () -> JsonBodies.readObject(request(null, BODY)));
        assertEquals(415, none.status());
    }

    @Test
    void theContentTypeIsLoweredTheSameWhateverTheDefaultLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            // in Turkish, "I".toLowerCase() is a dotless i: APPLICATION would not read as application
            java.util.Locale.setDefault(java.util.Locale.forLanguageTag("tr-TR"));
            assertEquals("Hi", JsonBodies.readObject(request("APPLICATION/JSON", BODY)).get("subject").asText());
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    @Test
    void anEmptyBodyOrOneThatIsNotAnObjectIsA400() {
        assertEquals(400, assertThrows(ApiProblem.class,
                () -> JsonBodies.readObject(request("application/json", new InputStreamCache(new byte[0])))).status());
        assertEquals(400, assertThrows(ApiProblem.class,
                () -> JsonBodies.readObject(request("application/json", "[1, 2]"))).status());
        assertEquals(400, assertThrows(ApiProblem.class,
                () -> JsonBodies.readObject(request("application/json", "{\"a\": 1} trailing"))).status());
    }
}
