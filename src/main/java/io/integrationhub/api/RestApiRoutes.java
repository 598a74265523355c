package io.integrationhub.api;

import io.integrationhub.Settings;
import org.apache.camel.builder.RouteBuilder;

/** The REST API's common setup: platform-http, JSON handled by the routes themselves, the OpenAPI document. */
public class RestApiRoutes extends RouteBuilder {

    @Override
    public void configure() {
        // the one RestApiProcessorFactory in the registry serves /openapi.json (see OpenApiDocument)
        getContext().getRegistry().bind("openApiDocument", new OpenApiDocument(Settings.optional(getContext(), "hub.public-url")));
        restConfiguration()
                .apiProperty("api.title", "Integration Hub API")
                .apiProperty("api.version", "v1")
                .apiProperty("api.description", "Send email (and more) through configured providers; all /api routes "
                        + "need Authorization: Bearer <API key>. Errors are RFC 9457 application/problem+json.");
    }
}
