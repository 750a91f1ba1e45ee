package dev.junction.sync.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** {@code junction.datasources.*} as an operator sets it: environment variables, production defaults, clear failures. */
class DatasourceSettingsTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(DatasourceSettings.class)
    @Import(SqlDatasources.class)
    static class Settings {}

    private final ApplicationContextRunner hub = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
            .withUserConfiguration(Settings.class);

    private static ApplicationContextRunner withEnv(ApplicationContextRunner runner, Map<String, Object> env) {
        return runner.withInitializer(ctx -> ctx.getEnvironment().getPropertySources().addFirst(
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, env)));
    }

    @Test
    void environmentVariablesDeclareADatasourceWithProductionDefaults() {
        withEnv(hub, Map.of(
                "JUNCTION_DATASOURCES_LEGACY_URL", "jdbc:h2:mem:env_legacy",
                "JUNCTION_DATASOURCES_LEGACY_USERNAME", "reader",
                "JUNCTION_DATASOURCES_LEGACY_PASSWORD", "Env-s3cret",
                "JUNCTION_DATASOURCES_WAREHOUSE_URL", "jdbc:postgresql://db.example/wh",
                "JUNCTION_DATASOURCES_WAREHOUSE_MAXPOOLSIZE", "2",
                "JUNCTION_DATASOURCES_WAREHOUSE_QUERYTIMEOUT", "2m")).run(ctx -> {
            assertThat(ctx).hasNotFailed();
            SqlDatasources datasources = ctx.getBean(SqlDatasources.class);
            assertThat(datasources.names()).containsExactly("legacy", "warehouse");
            assertThat(datasources.declared("legacy")).isTrue();
            assertThat(datasources.declared("ledger")).isFalse();
            assertThat(datasources.declared(null)).isFalse();

            var legacy = datasources.settings("legacy");
            assertThat(legacy.url()).isEqualTo("jdbc:h2:mem:env_legacy");
            assertThat(legacy.username()).isEqualTo("reader");
            assertThat(legacy.password()).isEqualTo("Env-s3cret");
            assertThat(legacy.maxPoolSize()).isEqualTo(4);
            assertThat(legacy.queryTimeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(legacy.connectionTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(legacy.readOnly()).isTrue();
            assertThat(legacy.toString()).doesNotContain("Env-s3cret");

            var warehouse = datasources.settings("warehouse");
            assertThat(warehouse.maxPoolSize()).isEqualTo(2);
            assertThat(warehouse.queryTimeout()).isEqualTo(Duration.ofMinutes(2));
        });
    }

    @Test
    void noDatasourceIsTheDefault() {
        hub.run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean(SqlDatasources.class).names()).isEmpty();
        });
    }

    @Test
    void aDatasourceWithoutAUrlStopsStartupNamingTheSetting() {
        withEnv(hub, Map.of("JUNCTION_DATASOURCES_LEGACY_USERNAME", "reader")).run(ctx -> {
            assertThat(ctx).hasFailed();
            assertThat(ctx.getStartupFailure()).rootCause()
                    .hasMessageContaining("datasources[legacy].url")
                    .hasMessageContaining("must be set: the JDBC URL (env JUNCTION_DATASOURCES_<NAME>_URL)");
        });
    }

    @Test
    void poolsAreOpenedOnFirstUseAndClosedWithTheHub() {
        var pool = new java.util.concurrent.atomic.AtomicReference<com.zaxxer.hikari.HikariDataSource>();
        withEnv(hub, Map.of("JUNCTION_DATASOURCES_LEGACY_URL", "jdbc:h2:mem:pool_legacy")).run(ctx -> {
            pool.set(ctx.getBean(SqlDatasources.class).pool("legacy"));
            assertThat(pool.get().isClosed()).isFalse();
        });
        assertThat(pool.get().isClosed()).isTrue();
    }
}
