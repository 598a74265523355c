package io.integrationhub.api;

import org.apache.camel.builder.RouteBuilder;

/** The REST API's common setup: platform-http, JSON handled by the routes themselves, the OpenAPI document. */
public class RestApiRoutes extends RouteBuilder {

    @Override
    public void configure() {
        restConfiguration()
                .apiProperty("api.title", "Integration Hub API")
                .apiProperty("api.version", "v1")
                .apiProperty("api.description", "Send email (and more) through configured providers; all /api routes "
                        + "need Authorization: Bearer <API key>. Errors are RFC 9457 application/problem+json.");
    }
}
