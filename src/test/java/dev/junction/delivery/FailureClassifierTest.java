package dev.junction.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FailureClassifierTest {

    @ParameterizedTest
    @ValueSource(ints = {408, 425, 429, 500, 502, 503, 504, 599})
    void retriesTransientStatusesOfTargetsAndPlainHttpAlike(int status) {
        assertThat(FailureClassifier.classify(new TargetHttpException("t", status, null, ""))).isInstanceOf(Outcome.Retry.class);
        assertThat(FailureClassifier.classify(new HttpOperationFailedException("http://x", status, "s", null, Map.of(), "")))
                .isInstanceOf(Outcome.Retry.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404, 409, 410, 413, 422, 300, 302})
    void otherStatusesAreDeadAtOnce(int status) {
        assertThat(FailureClassifier.classify(new TargetHttpException("t", status, null, ""))).isInstanceOf(Outcome.Dead.class);
        assertThat(FailureClassifier.classify(new HttpOperationFailedException("http://x", status, "s", null, Map.of(), "")))
                .isInstanceOf(Outcome.Dead.class);
    }

    @Test
    void connectionErrorsTimeoutsAndUnknownRouteErrorsAreRetried() {
        assertThat(FailureClassifier.classify(new ConnectException("refused"))).isInstanceOf(Outcome.Retry.class);
        assertThat(FailureClassifier.classify(new HttpTimeoutException("request timed out"))).isInstanceOf(Outcome.Retry.class);
        assertThat(FailureClassifier.classify(new IllegalStateException("bean broke"))).isInstanceOf(Outcome.Retry.class);
    }

    @Test
    void nonRetryableExceptionsAreDeadEvenWhenWrapped() {
        Throwable wrapped = new RuntimeException(new NonRetryableDeliveryException("cannot map"));
        assertThat(FailureClassifier.classify(wrapped)).isInstanceOf(Outcome.Dead.class);
    }

    @Test
    void anOpenBreakerParksOnItsTargetWithoutAnAttempt() {
        Outcome o = FailureClassifier.classify(new RuntimeException(new BreakerOpenException("acme/erp")));
        assertThat(o).isEqualTo(new Outcome.Parked("acme/erp", "circuit breaker open for acme/erp"));
    }

    @Test
    void expectedFailuresAreTheOnesDeliveryMeetsInItsNormalCourse() {
        assertThat(FailureClassifier.expected(new TargetHttpException("acme/erp", 503, null, ""))).isTrue();
        assertThat(FailureClassifier.expected(new RuntimeException(new java.net.ConnectException("refused")))).isTrue();
        assertThat(FailureClassifier.expected(new BreakerOpenException("acme/erp"))).isTrue();
        assertThat(FailureClassifier.expected(new NonRetryableDeliveryException("cannot map"))).isTrue();
        assertThat(FailureClassifier.expected(new IllegalStateException("a bug"))).isFalse();
        assertThat(FailureClassifier.expected(new NullPointerException())).isFalse();
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        assertThat(FailureClassifier.retryAfter("120", now)).isEqualTo(Duration.ofSeconds(120));
        assertThat(FailureClassifier.retryAfter("Sun, 22 Nov 2026 10:01:00 GMT", now)).isEqualTo(Duration.ofSeconds(60));
        assertThat(FailureClassifier.retryAfter("soon", now)).isNull();
        assertThat(FailureClassifier.retryAfter(null, now)).isNull();
        Outcome throttled = FailureClassifier.classify(new HttpOperationFailedException("http://x", 429, "s", null, Map.of("Retry-After", "7"), ""));
        assertThat(((Outcome.Retry) throttled).retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }
}
