package dev.junction.ops;

import dev.junction.intake.Receipts;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import dev.junction.partner.PartnerRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Ops inventory: each partner's events, routes, targets and message counts by status. */
@RestController
class PartnersController {

    private final PartnerRegistry partners;
    private final Receipts receipts;

    PartnersController(PartnerRegistry partners, Receipts receipts) {
        this.partners = partners;
        this.receipts = receipts;
    }

    record PartnerView(String partner, String displayName, Map<String, String> events, List<String> targets,
                       Partner.RateLimit rateLimit, Map<String, Long> counts) {}

    @GetMapping("/ops/partners")
    List<PartnerView> partners() {
        Map<String, Map<String, Long>> counts = receipts.countsByPartnerAndStatus();
        return partners.all().stream()
                .map(p -> {
                    Map<String, String> events = new TreeMap<>();
                    p.events().values().forEach((PartnerEvent e) -> events.put(e.name(), e.route()));
                    return new PartnerView(p.id(), p.displayName(), events, p.targets().keySet().stream().sorted().toList(),
                            p.rateLimit(), counts.getOrDefault(p.id(), Map.of()));
                })
                .toList();
    }
}
