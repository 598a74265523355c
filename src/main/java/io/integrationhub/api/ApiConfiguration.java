package io.integrationhub.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.BindToRegistry;
import org.apache.camel.Configuration;

/** Beans the API shares with YAML routes. */
@Configuration
public class ApiConfiguration {

    /** The API's strict JSON reader: duplicate keys, trailing garbage, absurd nesting and numbers are errors. */
    @BindToRegistry("hubJson")
    public ObjectMapper hubJson() {
        return JsonBodies.strictMapper();
    }
}
