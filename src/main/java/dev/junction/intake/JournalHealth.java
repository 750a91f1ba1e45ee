package dev.junction.intake;

import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.stereotype.Component;

/** The hub can accept traffic only while its journal writers run; the database indicator covers the database. */
@Component("journal")
class JournalHealth implements HealthIndicator {

    private final GroupCommitJournal journal;

    JournalHealth(GroupCommitJournal journal) {
        this.journal = journal;
    }

    @Override
    public Health health() {
        return journal.healthy() ? Health.up().build() : Health.down().withDetail("writers", "not running").build();
    }
}
