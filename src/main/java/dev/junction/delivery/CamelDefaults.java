package dev.junction.delivery;

import org.apache.camel.CamelContext;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.model.errorhandler.NoErrorHandlerDefinition;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The hub owns retries and the logging of failures; the components a route calls and Camel's own error handling must
 * do neither. One call is one recorded attempt, and one failed attempt is one log line (written by the dispatcher).
 */
@Configuration(proxyBeanMethods = false)
class CamelDefaults {

    /**
     * camel-http's Apache HttpClient re-executes a request answered 503 or 429 after a second, inside what the hub
     * records as one attempt (DefaultHttpRequestRetryStrategy): a target answering 503, 503, 200 was delivered with
     * two attempts and three calls, and each hidden retry held a delivery slot for a second.
     */
    @Bean
    ComponentCustomizer httpClientNeverRetries() {
        return ComponentCustomizer.forType(HttpComponent.class,
                http -> http.setHttpClientConfigurer(builder -> builder.disableAutomaticRetries()));
    }

    /**
     * No error handler on any route: Camel's default one logs every failed exchange at ERROR with a stack trace and the
     * message history (about 49 lines), and has nothing to add, since redelivery is the hub's job (the exception comes
     * back to the dispatcher on the exchange either way). Set before the routes are built, so route files need not
     * (and must not) declare one.
     */
    @Bean
    CamelContextConfiguration noRouteErrorHandler() {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext context) {
                context.getCamelContextExtension().setErrorHandlerFactory(new NoErrorHandlerDefinition());
            }

            @Override
            public void afterApplicationStart(CamelContext context) {
                // nothing to do once started
            }
        };
    }
}
