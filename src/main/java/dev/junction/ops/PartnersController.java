package dev.junction.ops;

import dev.junction.delivery.Breakers;
import dev.junction.intake.Receipts;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import dev.junction.partner.PartnerRegistry;
import dev.junction.reload.ConfigReloader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ops inventory: each partner's events, routes, targets with breaker state and parked messages (for an ERP vendor, its
 * agent as the target {@code agent}, with the orders held for it), counts by status and oldest pending age.
 */
@RestController
class PartnersController {

    private final PartnerRegistry partners;
    private final Receipts receipts;
    private final Breakers breakers;
    private final Clock clock;
    private final ConfigReloader reloader;

    PartnersController(PartnerRegistry partners, Receipts receipts, Breakers breakers, Clock clock, ConfigReloader reloader) {
        this.reloader = reloader;
        this.partners = partners;
        this.receipts = receipts;
        this.breakers = breakers;
        this.clock = clock;
    }

    record TargetView(String name, String breaker, long parked) {}

    /** The configuration this view was read from; the same in every partner's entry (the list stays a list for its readers). */
    record ConfigView(long version, Instant loadedAt, String lastError) {}

    record PartnerView(String partner, String displayName, Map<String, String> events, List<TargetView> targets,
                       Partner.RateLimit rateLimit, Map<String, Long> counts, Double oldestPendingAgeSeconds, ConfigView config) {}

    @GetMapping("/ops/partners")
    List<PartnerView> partners() {
        Map<String, Map<String, Long>> counts = receipts.countsByPartnerAndStatus();
        Map<String, Instant> oldest = receipts.oldestPendingByPartner();
        Map<String, Long> parked = receipts.parkedByTarget();
        Instant now = clock.instant();
        ConfigReloader.Status status = reloader.status();
        ConfigView config = new ConfigView(status.version(), status.loadedAt(), status.lastError());
        return partners.all().stream()
                .map(p -> {
                    Map<String, String> events = new TreeMap<>();
                    p.events().values().forEach((PartnerEvent e) -> events.put(e.name(), e.route()));
                    Map<String, String> states = breakers.states(p.id());
                    List<TargetView> targets = new java.util.ArrayList<>(p.targets().keySet().stream().sorted()
                            .map(t -> new TargetView(t, states.getOrDefault(t, "CLOSED"), parked.getOrDefault(p.id() + "/" + t, 0L))).toList());
                    if (p.agent() != null) {
                        // The vendor's ERP agent: its breaker, and every partner's orders held for it (<partner>/agent:<vendor>).
                        long held = parked.entrySet().stream().filter(e -> e.getKey().endsWith("/agent:" + p.id()))
                                .mapToLong(Map.Entry::getValue).sum();
                        targets.add(new TargetView("agent", states.getOrDefault("agent", "CLOSED"), held));
                    }
                    Instant first = oldest.get(p.id());
                    return new PartnerView(p.id(), p.displayName(), events, targets, p.rateLimit(),
                            counts.getOrDefault(p.id(), Map.of()),
                            first == null ? null : Duration.between(first, now).toMillis() / 1000.0, config);
                })
                .toList();
    }
}
