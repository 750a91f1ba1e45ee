package dev.junction.ratelimit;

import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.PartnersReloaded;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** One token bucket per partner, so a partner at its limit takes nothing from another. */
@Component
class PartnerBuckets {

    private final Map<String, Limited> buckets = new ConcurrentHashMap<>();

    /** A partner's bucket and the policy it was built from. */
    record Limited(Bucket bucket, Partner.RateLimit policy) {}

    PartnerBuckets(PartnerRegistry partners) {
        for (Partner p : partners.all()) {
            buckets.put(p.id(), new Limited(bucket(p.rateLimit()), p.rateLimit()));
        }
    }

    /**
     * A partner whose limit changed gets a new, full bucket with the new policy; an unchanged one keeps its bucket (and
     * what it has spent); a removed partner's bucket goes.
     */
    @EventListener
    void onReload(PartnersReloaded reloaded) {
        buckets.keySet().retainAll(reloaded.current().partners().keySet());
        for (Partner p : reloaded.current().all()) {
            Limited now = buckets.get(p.id());
            if (now == null || !now.policy().equals(p.rateLimit())) {
                buckets.put(p.id(), new Limited(bucket(p.rateLimit()), p.rateLimit()));
            }
        }
    }

    static Bucket bucket(Partner.RateLimit limit) {
        // Greedy refill adds tokens continuously; a fractional rate is expressed over a longer period.
        double perSecond = limit.refillPerSecond();
        boolean whole = perSecond == Math.rint(perSecond);
        long tokens = whole ? (long) perSecond : Math.max(1, Math.round(perSecond * 1000));
        Duration period = whole ? Duration.ofSeconds(1) : Duration.ofSeconds(1000);
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit.capacity()).refillGreedy(tokens, period).build())
                .build();
    }

    Limited of(String partner) {
        return buckets.get(partner);
    }

    ConsumptionProbe tryConsume(Limited limited) {
        return limited.bucket().tryConsumeAndReturnRemaining(1);
    }
}
