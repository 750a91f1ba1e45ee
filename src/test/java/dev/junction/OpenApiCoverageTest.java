package dev.junction;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.junction.support.HubTest;
import java.io.File;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** openapi/junction-api.yaml documents exactly the endpoints the hub serves: docs move with code. */
class OpenApiCoverageTest extends HubTest {

    @DynamicPropertySource
    static void h2(DynamicPropertyRegistry registry) throws Exception {
        var dir = Files.createTempDirectory("junction-openapi");
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("junction") + ";WRITE_DELAY=0");
    }

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void everyControllerEndpointIsInTheContractAndNothingElse() throws Exception {
        Set<String> served = new TreeSet<>();
        mappings.getHandlerMethods().forEach((info, method) -> {
            if (!method.getBeanType().getPackageName().startsWith("dev.junction") || method.getBeanType().getSimpleName().startsWith("ProblemError")) {
                return;
            }
            info.getPathPatternsCondition().getPatternValues().forEach(path ->
                    info.getMethodsCondition().getMethods().forEach(m -> served.add(m.name() + " " + path)));
        });
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(new File("openapi/junction-api.yaml"));
        Set<String> documented = new TreeSet<>();
        spec.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (!p.getKey().startsWith("/actuator")) {
                documented.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
            }
        }));
        assertThat(served).isNotEmpty().isEqualTo(documented);
    }
}
