package dev.junction;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code junction.log.*}. Applied to Spring Boot's logging by {@link JunctionEnvironment} before logging starts; bound
 * here too so that a misspelt value stops startup naming the setting.
 *
 * @param format {@code text} (the console pattern) or {@code json}: one Elastic Common Schema JSON object per line
 *               (Spring Boot's structured logging), each message's {@link MessageMdc} fields among its keys
 * @param messages one line per stage of every message's life (taken in, each failed attempt, delivered), at the cost
 *                 of a line per message; off, only failures are logged
 */
@Validated
@ConfigurationProperties("junction.log")
public record LogSettings(
        @DefaultValue("text") @NotNull @Pattern(regexp = "text|json", message = "must be text or json (junction.log.format, env JUNCTION_LOG_FORMAT)")
        String format,
        @DefaultValue("false") boolean messages) {}
