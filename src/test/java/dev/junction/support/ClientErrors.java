package dev.junction.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The one outcome a hostile input may have besides success: a {@link ProblemException} with one of the expected
 * 4xx statuses. Any other exception escapes, so Jazzer (or JUnit) reports it as a finding.
 */
public final class ClientErrors {

    private ClientErrors() {}

    /** What a unit did with an input: returned {@code value}, or refused it with {@code problem}. */
    public record Outcome<T>(T value, Problem problem) {
        public boolean accepted() {
            return problem == null;
        }
    }

    /** Runs the unit; a refusal must be a problem with one of {@code allowed} (all 4xx) and a detail for the partner. */
    public static <T> Outcome<T> run(Supplier<T> unit, int... allowed) {
        try {
            return new Outcome<>(unit.get(), null);
        } catch (ProblemException refused) {
            int status = refused.problem().status();
            assertThat(status).as("status of '%s'", refused.problem().detail())
                    .isBetween(400, 499)
                    .isIn(Arrays.stream(allowed).boxed().toList());
            assertThat(refused.problem().detail()).isNotBlank();
            return new Outcome<>(null, refused.problem());
        }
    }
}
