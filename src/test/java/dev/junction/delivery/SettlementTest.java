package dev.junction.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.intake.AcceptedMessage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An outcome waits for its commit after the delivery thread has moved on, outside the lanes' payload budget: it must
 * not keep the payload (a hundred partners' pending outcomes of 64 KiB bodies ran a 256 MB heap out of memory).
 */
class SettlementTest {

    private static final Instant NOW = Instant.parse("2026-11-23T04:30:00Z");

    @Test
    void everyKindOfSettlementDropsThePayload() {
        Job job = new Job(new AcceptedMessage("r-1", "acme", "order-created", "acme-order-created", "c-1", "application/json",
                new byte[65536], NOW), 0, 0, NOW.plusSeconds(120));
        Attempt attempt = Attempt.of(1, NOW, 5, "delivered", 200, null);

        for (Settlement s : List.of(Settlement.delivered(job, attempt, NOW), Settlement.retry(job, attempt, NOW, NOW.plusSeconds(5)),
                Settlement.dead(job, attempt, NOW), Settlement.parked(job, NOW, "acme/erp", NOW.plusSeconds(600), "breaker open"))) {
            assertThat(s.job().message().payload()).as(s.kind().name()).isEmpty();
            assertThat(s.job().receiptId()).isEqualTo("r-1");
            assertThat(s.job().message().partner()).isEqualTo("acme");
        }
    }
}
