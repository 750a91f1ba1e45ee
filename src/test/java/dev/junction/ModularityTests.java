package dev.junction;

import org.junit.jupiter.api.Test;
import org.springframework.modulith.core.ApplicationModules;

/** Feature packages talk only through their public faces, and never in cycles. */
class ModularityTests {

    @Test
    void featurePackagesRespectModuleBoundaries() {
        ApplicationModules.of(JunctionApplication.class).verify();
    }
}
