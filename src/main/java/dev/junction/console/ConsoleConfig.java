package dev.junction.console;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The ops console: static files under {@code classpath:/static/console/}, public like any static page (it holds no
 * data; every datum comes from {@code /ops/**} with the key the operator types in). Its responses carry a strict
 * Content-Security-Policy: the console shows partner-supplied text (payloads, headers, errors), and should a value
 * ever slip into markup, no inline or foreign script may run and nothing may be sent anywhere but the hub.
 */
@Configuration(proxyBeanMethods = false)
class ConsoleConfig implements WebMvcConfigurer {

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/console", "/console/");
        registry.addViewController("/console/").setViewName("forward:/console/index.html");
    }

    @Bean
    FilterRegistrationBean<OncePerRequestFilter> consoleHeaders() {
        FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(new OncePerRequestFilter() {
            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                response.setHeader("Content-Security-Policy", CSP);
                response.setHeader("X-Content-Type-Options", "nosniff");
                response.setHeader("Referrer-Policy", "no-referrer");
                // The key lives in sessionStorage, never on a page; still, nothing of the console belongs in a shared cache.
                response.setHeader("Cache-Control", "no-store");
                chain.doFilter(request, response);
            }
        });
        registration.addUrlPatterns("/console", "/console/*");
        registration.setName("consoleHeaders");
        return registration;
    }
}
