package dev.junction.sync.sql;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The legacy databases SQL sync jobs read, {@code junction.datasources.<name>.*} (env
 * {@code JUNCTION_DATASOURCES_<NAME>_URL}, {@code _USERNAME}, {@code _PASSWORD}, ...). Its own record rather than a field
 * of {@link dev.junction.JunctionProperties}: both bind under {@code junction}, each taking only its own keys. None
 * declared is the default, and the hub runs without any.
 */
@Validated
@ConfigurationProperties("junction")
public record DatasourceSettings(@DefaultValue Map<String, @Valid Datasource> datasources) {

    /**
     * One pool per legacy database. The defaults suit a database we borrow from someone else: few connections, opened
     * only when a job runs, read-only, and statements that cannot run for ever.
     *
     * @param url JDBC URL; its driver must be on the hub's class path (H2 and PostgreSQL are)
     * @param maxPoolSize connections at most; a job uses one at a time, so this bounds parallel jobs on this database
     * @param minIdle connections kept open between runs (0: closed after {@code idleTimeout})
     * @param connectionTimeout how long a fetch waits for a connection before it fails the run
     * @param validationTimeout how long the pool waits for a connection's liveness check
     * @param queryTimeout how long one page's query may run (JDBC {@code Statement.setQueryTimeout}, whole seconds)
     * @param readOnly connections refuse writes (PostgreSQL: on every statement, not only in explicit transactions)
     * @param initSql run on each new connection; by default sets the session time zone to UTC where the URL names a
     *                database we know how to, so timestamps without a zone compare and render as UTC
     */
    public record Datasource(
            @NotBlank(message = "must be set: the JDBC URL (env JUNCTION_DATASOURCES_<NAME>_URL)") String url,
            String username,
            String password,
            @DefaultValue("4") @Min(1) int maxPoolSize,
            @DefaultValue("0") @Min(0) int minIdle,
            @DefaultValue("10s") @NotNull Duration connectionTimeout,
            @DefaultValue("5s") @NotNull Duration validationTimeout,
            @DefaultValue("10m") @NotNull Duration idleTimeout,
            @DefaultValue("30m") @NotNull Duration maxLifetime,
            @DefaultValue("30s") @NotNull Duration queryTimeout,
            @DefaultValue("true") boolean readOnly,
            String initSql) {

        /**
         * Without the password, and without the URL (which may carry one as a parameter): a record's generated toString
         * would print them wherever a setting is logged.
         */
        @Override
        public String toString() {
            return "Datasource[username=" + username + ", password=" + (password == null ? "null" : "****")
                    + ", maxPoolSize=" + maxPoolSize + ", queryTimeout=" + queryTimeout + ", readOnly=" + readOnly + "]";
        }
    }
}
