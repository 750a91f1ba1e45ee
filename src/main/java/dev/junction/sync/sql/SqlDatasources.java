package dev.junction.sync.sql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.junction.sync.sql.DatasourceSettings.Datasource;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The pools of the declared legacy databases, one HikariCP pool each, opened on a job's first fetch and closed with the
 * hub. Deliberately not {@code DataSource} beans: one would make Spring Boot's DataSource auto-configuration back off,
 * and the journal's pool must stay the hub's only (primary) DataSource.
 */
@Component
public class SqlDatasources implements DisposableBean {

    private final Map<String, Datasource> declared;
    private final MeterRegistry meters;
    private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public SqlDatasources(DatasourceSettings settings, ObjectProvider<MeterRegistry> meters) {
        this.declared = Map.copyOf(settings.datasources());
        this.meters = meters.getIfAvailable();
    }

    /** For startup validation: a connector's {@code source.sql.datasource} must name one of these. */
    public boolean declared(String name) {
        return name != null && declared.containsKey(name);
    }

    public Set<String> names() {
        return new TreeSet<>(declared.keySet());
    }

    Datasource settings(String name) {
        Datasource settings = declared.get(name);
        if (settings == null) {
            throw new IllegalArgumentException("no datasource " + name + " is declared (junction.datasources." + name + ".url)");
        }
        return settings;
    }

    HikariDataSource pool(String name) {
        Datasource settings = settings(name);
        if (closed) {
            throw new IllegalStateException("datasource " + name + ": the hub is shutting down");
        }
        return pools.computeIfAbsent(name, n -> {
            HikariConfig config = config(n, settings);
            if (meters != null) {
                // hikaricp_connections_* with pool="junction-ds-<name>", beside the journal's pool
                config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
            }
            return new HikariDataSource(config);
        });
    }

    static HikariConfig config(String name, Datasource ds) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("junction-ds-" + name);
        config.setJdbcUrl(ds.url());
        config.setUsername(ds.username());
        config.setPassword(ds.password());
        config.setMaximumPoolSize(ds.maxPoolSize());
        config.setMinimumIdle(Math.min(ds.minIdle(), ds.maxPoolSize()));
        config.setConnectionTimeout(ds.connectionTimeout().toMillis());
        config.setValidationTimeout(ds.validationTimeout().toMillis());
        config.setIdleTimeout(ds.idleTimeout().toMillis());
        config.setMaxLifetime(ds.maxLifetime().toMillis());
        config.setReadOnly(ds.readOnly());
        // A legacy database that is down fails its jobs' runs (recorded per run), never the hub's startup.
        config.setInitializationFailTimeout(-1);
        String initSql = ds.initSql() != null ? ds.initSql() : utcSession(ds.url());
        if (initSql != null && !initSql.isBlank()) {
            config.setConnectionInitSql(initSql);
        }
        if (ds.url().startsWith("jdbc:postgresql:")) {
            // Text parameters go untyped, so PostgreSQL types them from the column they meet: a checkpoint id "42"
            // compares with an integer id column and "A-42" with a varchar one (typed varchar, the first would fail
            // with "operator does not exist: integer > character varying").
            config.addDataSourceProperty("stringtype", "unspecified");
            if (ds.readOnly()) {
                // pgjdbc applies read-only only inside explicit transactions by default; the source runs in autocommit.
                config.addDataSourceProperty("readOnlyMode", "always");
            }
        }
        return config;
    }

    /**
     * Timestamps without a zone are read as UTC and the checkpoint's cursor is bound as a UTC instant; comparing the two
     * converts in the session's time zone, which drivers otherwise take from the JVM's.
     */
    static String utcSession(String url) {
        if (url.startsWith("jdbc:postgresql:") || url.startsWith("jdbc:h2:")) {
            return "SET TIME ZONE 'UTC'";
        }
        if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) {
            return "SET time_zone = '+00:00'";
        }
        if (url.startsWith("jdbc:oracle:")) {
            return "ALTER SESSION SET TIME_ZONE = 'UTC'";
        }
        return null;
    }

    @Override
    public void destroy() {
        closed = true;
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
