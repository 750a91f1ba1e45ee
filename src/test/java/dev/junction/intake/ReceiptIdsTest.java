package dev.junction.intake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReceiptIdsTest {

    @Test
    void receiptIdsAreVersion7UuidsWithTheRfcVariant() {
        UUID id = UUID.fromString(ReceiptIds.next(1_764_000_000_000L));
        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        assertThat(id.getMostSignificantBits() >>> 16).isEqualTo(1_764_000_000_000L);
    }

    @Test
    void receiptIdsSortByTheMillisecondTheyWereMadeIn() {
        String earlier = ReceiptIds.next(1_764_000_000_000L);
        String later = ReceiptIds.next(1_764_000_000_001L);
        assertThat(earlier).isLessThan(later);
    }

    @Test
    void receiptIdsOfOneMillisecondAreUnique() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(ReceiptIds.next(1_764_000_000_000L));
        }
        assertThat(ids).hasSize(100_000);
    }
}
