package dev.junction.security;

import dev.junction.partner.PartnerRegistry;
import dev.junction.problem.ProblemWriter;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import org.springframework.core.env.Environment;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.ExceptionTranslationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Every kind of key through one filter chain: the firewall, {@link KeyAuthenticationFilter}, then rules by path.
 * {@code /webhooks/{partner}/**} takes only that partner's keys, {@code /agents/{vendor}/**} only that vendor's agent
 * tokens; {@code /ops/**} and the actuator (but its health)
 * take ops keys, {@code read} for GET and HEAD, {@code admin} for any other method; the ops health group
 * ({@code /actuator/health/ops}, with details) takes any ops key; the sandbox agent's drift switch an admin ops key;
 * everything else is public.
 *
 * <p>The chain is stateless and minimal, since it runs in front of every webhook: no session, CSRF, request cache,
 * security headers, anonymous caller or saved security context. It runs before the rate-limit and intake filters
 * ({@code spring.security.filter.order} in application.yaml), which read the {@link Caller} it establishes.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    SecurityFilterChain keyFilterChain(HttpSecurity http, KeyAuthenticationProvider keys, ProblemAnswers answers,
                                       PartnerRegistry partners, Environment environment, Clock clock, ProblemWriter problems) throws Exception {
        PathPatternRequestMatcher.Builder path = PathPatternRequestMatcher.withDefaults();
        // ExceptionTranslationFilter would otherwise save each refused request in an HTTP session.
        http.setSharedObject(RequestCache.class, new NullRequestCache());
        http.csrf(AbstractHttpConfigurer::disable)
                .headers(AbstractHttpConfigurer::disable)
                .sessionManagement(AbstractHttpConfigurer::disable)
                .securityContext(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .anonymous(AbstractHttpConfigurer::disable)
                .servletApi(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .addFilterBefore(new KeyAuthenticationFilter(new ProviderManager(keys)), ExceptionTranslationFilter.class)
                // Standard Webhooks signatures decide with the key's outcome in hand, so they come after it.
                .addFilterAfter(new SignatureFilter(partners, environment, clock, problems), KeyAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint(answers).accessDeniedHandler(answers))
                .authorizeHttpRequests(rules -> rules
                        // platform-http answers 202s on an async dispatch, and errors go through /error (DESIGN gotchas).
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers(path.matcher("/webhooks/{partner}/**"), path.matcher("/webhooks/**")).access(Rules.partnerOwnKeys())
                        .requestMatchers(path.matcher("/agents/{vendor}/**"), path.matcher("/agents/**")).access(Rules.agentOwnTokens())
                        // The ops health group shows every indicator's details; before the public health rule.
                        .requestMatchers(path.matcher("/actuator/health/ops"), path.matcher("/actuator/health/ops/**"))
                        .access(Rules.ops(OpsRole.READ))
                        .requestMatchers(path.matcher("/actuator/health/**")).permitAll()
                        .requestMatchers(path.matcher(HttpMethod.GET, "/ops/**"), path.matcher(HttpMethod.HEAD, "/ops/**"),
                                path.matcher(HttpMethod.GET, "/actuator/**"), path.matcher(HttpMethod.HEAD, "/actuator/**"))
                        .access(Rules.ops(OpsRole.READ))
                        .requestMatchers(path.matcher("/ops/**"), path.matcher("/actuator/**")).access(Rules.ops(OpsRole.ADMIN))
                        // The sandbox agent's demo drift changes its data set: an action, like those under /ops.
                        .requestMatchers(path.matcher("/sandbox/agent/{vendor}/drift")).access(Rules.ops(OpsRole.ADMIN))
                        // The ops console's static page: public, it holds no data (each datum is an /ops call with a key).
                        .requestMatchers(path.matcher(HttpMethod.GET, "/console"), path.matcher(HttpMethod.GET, "/console/**")).permitAll()
                        .anyRequest().permitAll());
        return http.build();
    }

    @Bean
    HttpFirewall canonicalPathFirewall() {
        return new CanonicalPathFirewall();
    }

    /**
     * HTTP requests are already observed (http.server.requests); observing each security filter, authentication and
     * authorization as well would add timers and spans to every webhook for nothing an operator reads.
     */
    @Bean
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }
}
