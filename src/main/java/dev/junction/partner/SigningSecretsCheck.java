package dev.junction.partner;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Says at startup which signing secrets cannot be used, naming the partner, the field and the placeholder (never a
 * value). It does not stop the hub: one partner's missing secret must not stop every other partner's webhooks. Its
 * signed webhooks answer 503 (never accepted unsigned) and its signed targets' calls fail and are retried, until the
 * variable is set and the hub restarted. An unset second secret is normal once a rotation is over.
 */
@Component
class SigningSecretsCheck {

    private static final Logger log = LoggerFactory.getLogger(SigningSecretsCheck.class);

    private final PartnerRegistry partners;
    private final Environment environment;

    SigningSecretsCheck(PartnerRegistry partners, Environment environment) {
        this.partners = partners;
        this.environment = environment;
    }

    @EventListener(ApplicationReadyEvent.class)
    void report() {
        for (Partner partner : partners.all()) {
            partner.signatureSpec().ifPresent(spec -> {
                List<String> unusable = unusable(spec.secrets());
                if (unusable.size() == spec.secrets().size()) {
                    log.error("Partner {}: no usable secret in signatures/secrets ({}); its signed webhooks answer 503 until one is set",
                            partner.id(), String.join("; ", unusable));
                } else if (!unusable.isEmpty()) {
                    log.warn("Partner {}: signatures/secrets: {}; the other secret(s) still verify (remove it once a rotation is over)",
                            partner.id(), String.join("; ", unusable));
                }
            });
            partner.targets().values().forEach(target -> target.signingSpec().ifPresent(signing -> unusable(List.of(signing.secret()))
                    .forEach(problem -> log.error("Partner {}: targets/{}/signing/secret: {}; calls to the target fail and are retried until it is set",
                            partner.id(), target.name(), problem))));
        }
    }

    private List<String> unusable(List<String> placeholders) {
        List<String> problems = new ArrayList<>();
        for (String placeholder : placeholders) {
            try {
                StandardWebhooks.resolveKey(environment, placeholder);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        return problems;
    }
}
