package io.integrationhub.api;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Parameters come from the request line ({@code CamelHttpQuery}, {@code CamelHttpPath}), never from same-named headers. */
class RequestParametersTest {

    private static Exchange request(String path, String query) {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setHeader(Exchange.HTTP_PATH, path);
        exchange.getMessage().setHeader(Exchange.HTTP_QUERY, query);
        // what the server also puts there: the request's own headers, named like the parameters
        exchange.getMessage().setHeader("status", "dead");
        exchange.getMessage().setHeader("id", "from-a-header");
        return exchange;
    }

    @Test
    void queryParametersAreDecodedFromTheQueryString() {
        Exchange e = request("/api/v1/messages", "status=sent&channel=e%6Dail&empty=&flag&plus=a+b");
        assertThat(RequestParameters.query(e, "status")).hasValue("sent");
        assertThat(RequestParameters.query(e, "channel")).hasValue("email");
        assertThat(RequestParameters.query(e, "empty")).hasValue("");
        assertThat(RequestParameters.query(e, "flag")).hasValue("");
        assertThat(RequestParameters.query(e, "plus")).hasValue("a b");
        assertThat(RequestParameters.query(e, "limit")).isEmpty();
        assertThat(RequestParameters.query(e, "STATUS")).as("names are case-sensitive").isEmpty();
        assertThat(RequestParameters.query(request("/api/v1/messages", null), "status")).as("the header is not read").isEmpty();
    }

    @Test
    void aParameterGivenTwiceOrMalformedIsA400NamingIt() {
        assertThatThrownBy(() -> RequestParameters.query(request("/x", "status=sent&status=dead"), "status"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> {
                    assertThat(p.status()).isEqualTo(400);
                    assertThat(p.errors()).extracting(io.integrationhub.delivery.FieldError::field).containsExactly("status");
                });
        assertThatThrownBy(() -> RequestParameters.query(request("/x", "status=%zz"), "status"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status()).isEqualTo(400));
    }

    @Test
    void pathParametersComeFromThePath() {
        assertThat(RequestParameters.path(request("/api/v1/messages/msg_1", null), "/api/v1/messages/{id}", "id")).isEqualTo("msg_1");
        assertThat(RequestParameters.path(request("/api/v1/messages/msg_1/retry", null), "/api/v1/messages/{id}/retry", "id"))
                .isEqualTo("msg_1");
        assertThat(RequestParameters.path(request("/api/v1/messages/msg_1/retry", null), "/api/v1/messages/{id}", "id")).isNull();
        assertThat(RequestParameters.path(request("/api/v1/keys/abc", null), "/api/v1/messages/{id}", "id")).isNull();
        assertThat(RequestParameters.path(request("/api/v1/keys/..%2F..%2Fetc", null), "/api/v1/keys/{id}", "id")).isEqualTo("../../etc");
        // behind a context path
        assertThat(RequestParameters.path(request("/hub/api/v1/keys/abc/rotate", null), "/api/v1/keys/{id}/rotate", "id")).isEqualTo("abc");
        Exchange noPath = new DefaultExchange(new DefaultCamelContext());
        noPath.getMessage().setHeader("id", "from-a-header");
        assertThat(RequestParameters.path(noPath, "/api/v1/keys/{id}", "id")).isNull();
    }

    @Test
    void aHeaderIsNotReadWhenTheQueryNamesIt() {
        Exchange e = request("/api/v1/email", "idempotency-KEY=abc");
        e.getMessage().setHeader("Idempotency-Key", "abc");
        assertThatThrownBy(() -> RequestParameters.header(e, "Idempotency-Key"))
                .isInstanceOfSatisfying(ApiProblem.class, p -> assertThat(p.status()).isEqualTo(400));
        Exchange clean = request("/api/v1/email", "other=1");
        clean.getMessage().setHeader("Idempotency-Key", "abc");
        assertThat(RequestParameters.header(clean, "Idempotency-Key")).isEqualTo("abc");
    }
}
