package dev.junction.erp.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.intake.PayloadReader;
import dev.junction.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hostile records through the pipeline's pure steps: any JSON value an agent sends as a record is prepared and
 * planned without an exception (which would fail its whole batch with a 5xx), and a record is rejected exactly when
 * it has problems. Seeds replay under plain JUnit from {@code RecordFuzzTestInputs/}; {@code JAZZER_FUZZ=1} fuzzes.
 */
class RecordFuzzTest {

    @FuzzTest(maxDuration = "30s")
    void anyRecordIsPreparedAndPlannedWithoutAnException(FuzzedDataProvider data) {
        Kind kind = data.pickValue(Kind.values());
        byte[] body = data.consumeRemainingAsBytes();
        JsonNode record;
        try {
            record = PayloadReader.parseExact(body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
        } catch (ProblemException malformed) {
            return;  // the whole batch is a 400 before any record is looked at
        }
        Prepared p = Validation.prepare(kind, 0, record);
        assertThat(p.valid()).isEqualTo(p.problems().isEmpty());
        if (p.valid()) {
            assertThat(p.key()).isNotNull();
            assertThat(p.hash()).hasSize(64);
            assertThat(p.updatedAt()).isNotNull();
        }
        Plan plan = Plan.of(kind, List.of(p), Map.of(), PlanTest.CODES, Set.of("A1"), Set.of("W1"));
        assertThat(plan.results).singleElement().satisfies(r -> assertThat(r.status())
                .isIn("created", "rejected"));
        if (p.valid() && kind != Kind.ITEM && kind != Kind.STOCK) {
            assertThat(plan.results.get(0).status()).isEqualTo("created");
        }
    }
}
