package dev.junction.sync.http;

import dev.junction.ClockConfig;
import dev.junction.JunctionProperties;
import dev.junction.delivery.Breakers;
import dev.junction.delivery.TargetCalls;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.SyncJob;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * The part of the hub an HTTP source runs on: the partner registry (a connector written by the test), the delivery
 * breakers, target calls and the source itself, wired by Spring as in the hub, without the web server and database.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(JunctionProperties.class)
@Import({ClockConfig.class, PartnerRegistry.class, Breakers.class, TargetCalls.class, HttpPageSource.class})
class SourceHub {

    static final String PARTNER = "supplier";
    static final String ROUTES = "src/test/resources/it/routes";

    @Bean
    MeterRegistry meters() {
        return new SimpleMeterRegistry();
    }

    /** A connectors folder with one partner whose targets are {@code targetsYaml} (indented under {@code targets:}). */
    static Path connectors(String targetsYaml) throws IOException {
        Path dir = Files.createTempDirectory("junction-sync-http");
        Files.writeString(dir.resolve(PARTNER + ".yaml"), """
                partner: supplier
                apiKeys:
                  - id: primary
                    sha256: 5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8
                events:
                  product-changed:
                    route: globex-order-created
                targets:
                """ + targetsYaml);
        return dir;
    }

    static SyncJob job(String target, Map<String, String> params, int pageSize) {
        return new SyncJob("products", new SyncJob.Schedule(java.time.Duration.ofSeconds(30), null), SyncJob.DEFAULT_MAX_BACKLOG,
                "product-changed", java.time.Duration.ZERO,
                new SyncJob.HttpSource(target, "/products", params, pageSize, "$.items", "$.updatedAt", "$.id"));
    }

    static Map<String, String> standardParams() {
        Map<String, String> params = new java.util.LinkedHashMap<>();
        params.put("updated_since", "${cursor}");
        params.put("after_id", "${id}");
        params.put("limit", "${pageSize}");
        return params;
    }

    static Partner partner(PartnerRegistry registry) {
        return registry.find(PARTNER).orElseThrow();
    }
}
