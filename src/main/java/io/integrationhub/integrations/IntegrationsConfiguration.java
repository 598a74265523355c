package io.integrationhub.integrations;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/** What YAML integrations call besides the hub's routes: the {@code format} bean. */
@Configuration
public class IntegrationsConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext camelContext) {
        camelContext.getRegistry().bind(Formats.BEAN, Formats.class, new Formats());
    }
}
