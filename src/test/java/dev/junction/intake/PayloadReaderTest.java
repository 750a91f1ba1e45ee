package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.junction.problem.ProblemException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The streaming check refuses exactly what building the tree refuses, with a 400 naming the problem. */
class PayloadReaderTest {

    @ParameterizedTest
    @ValueSource(strings = {" \n\t ", "{\"a\":1} trailing", "{\"a\":1}{}", "{\"a\":1,\"a\":2}", "{\"a\":", "[1,2", "nul", "'x'"})
    void refusesWhatParsingRefuses(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ProblemException checked = catchThrowableOfType(ProblemException.class, () -> PayloadReader.check(bytes));
        ProblemException parsed = catchThrowableOfType(ProblemException.class, () -> PayloadReader.parse(bytes));

        assertThat(checked).as("check(%s)", body).isNotNull();
        assertThat(parsed).as("parse(%s)", body).isNotNull();
        assertThat(checked.problem().status()).isEqualTo(400).isEqualTo(parsed.problem().status());
    }

    @ParameterizedTest
    @ValueSource(ints = {PayloadReader.MAX_NESTING_DEPTH + 1, 4000})
    void refusesNestingPastTheLimit(int depth) {
        byte[] bytes = "[".repeat(depth).getBytes(StandardCharsets.UTF_8);
        assertThat(catchThrowableOfType(ProblemException.class, () -> PayloadReader.check(bytes)).problem().status()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"orderId\":\"A-1\",\"total\":12.5}", "[]", "\"text\"", "42", " {\"a\":[1,{\"b\":null}]} \n"})
    void acceptsOneJsonValue(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThatCode(() -> PayloadReader.check(bytes)).doesNotThrowAnyException();
        assertThatCode(() -> PayloadReader.parse(bytes)).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"price\":777777777777777e777777777777777777777777777777}", "[1e99999999999999999999]"})
    void readingExactlyANumberWithoutABigDecimalIsA400(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ProblemException refused = catchThrowableOfType(ProblemException.class, () -> PayloadReader.parseExact(bytes));
        assertThat(refused.problem().status()).isEqualTo(400);
        assertThat(refused.problem().detail()).contains("number is out of range");
    }

    @Test
    void exactReadingKeepsEveryDecimalDigit() {
        byte[] bytes = "{\"p\":0.1000000000000000000001}".getBytes(StandardCharsets.UTF_8);
        assertThat(PayloadReader.parseExact(bytes).path("p").decimalValue()).isEqualByComparingTo("0.1000000000000000000001");
    }
}
