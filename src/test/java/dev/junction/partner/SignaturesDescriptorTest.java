package dev.junction.partner;

import static dev.junction.partner.ConnectorLoaderTest.ACME_ROUTES;
import static dev.junction.partner.ConnectorLoaderTest.KEY_HASH;
import static dev.junction.partner.ConnectorLoaderTest.assertOneLine;
import static dev.junction.partner.ConnectorLoaderTest.shown;
import static dev.junction.partner.ConnectorLoaderTest.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor's {@code signatures} section and a target's {@code signing}: read, defaulted, and refused by file and field. */
class SignaturesDescriptorTest {

    /** Not a real secret: the shape a careless integrator would paste. */
    static final String LITERAL = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @TempDir
    Path work;

    @Test
    void signedPartnerDefaultsToRequiredKeyFiveMinutesAndWebhookIdAsIdempotencyKey() {
        Partner acme = load("""
                signatures: { scheme: standard-webhooks, secrets: ["${ACME_WHSEC}", "${ACME_WHSEC_PREVIOUS}"] }
                """, true).get(0);

        assertThat(acme.signatures()).isEqualTo(new Partner.Signatures(List.of("${ACME_WHSEC}", "${ACME_WHSEC_PREVIOUS}"),
                Duration.ofMinutes(5), true));
        assertThat(acme.event("order-created").orElseThrow().idempotencyKey()).isEqualTo(new IdempotencyKeySource.Header("webhook-id"));
    }

    @Test
    void optionalKeyNeedsNoApiKeysAndAnExplicitIdempotencyKeyWins() {
        Partner acme = load("""
                signatures: { scheme: standard-webhooks, secrets: ["${ACME_WHSEC}"], tolerance: 2m, apiKey: optional }
                """, false, "    idempotencyKey: jsonpath:$.id\n").get(0);

        assertThat(acme.signatures()).isEqualTo(new Partner.Signatures(List.of("${ACME_WHSEC}"), Duration.ofMinutes(2), false));
        assertThat(acme.apiKeys()).isEmpty();
        assertThat(acme.event("order-created").orElseThrow().idempotencyKey()).isInstanceOf(IdempotencyKeySource.Json.class);
    }

    @Test
    void unsignedPartnerKeepsIdempotencyKeyHeader() {
        Partner acme = load("", true).get(0);

        assertThat(acme.signatures()).isNull();
        assertThat(acme.event("order-created").orElseThrow().idempotencyKey()).isEqualTo(IdempotencyKeySource.DEFAULT);
    }

    @Test
    void targetSigningIsRead() {
        Partner acme = load("""
                targets:
                  erp:
                    url: http://erp
                    signing: { scheme: standard-webhooks, secret: "${ACME_OUT_WHSEC}" }
                  crm: { url: http://crm }
                """, true).get(0);

        assertThat(acme.targets().get("erp").signing()).isEqualTo(new Partner.Signing("${ACME_OUT_WHSEC}"));
        assertThat(acme.targets().get("crm").signing()).isNull();
    }

    @Test
    void literalSecretIsRefusedWithoutRepeatingIt() {
        InvalidConnectorException e = refused("""
                signatures: { scheme: standard-webhooks, secrets: ["${ACME_WHSEC}", "%s"] }
                """.formatted(LITERAL));

        assertOneLine(e).startsWith(shown(file()) + ": /signatures/secrets/1: ")
                .contains("literal whsec_ secret").contains("environment variable")
                .doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }

    @Test
    void literalTargetSecretIsRefusedWithoutRepeatingIt() {
        InvalidConnectorException e = refused("""
                targets:
                  erp: { url: http://erp, signing: { scheme: standard-webhooks, secret: "%s" } }
                """.formatted(LITERAL));

        assertOneLine(e).startsWith(shown(file()) + ": /targets/erp/signing/secret: ").doesNotContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }

    @Test
    void placeholderWithADefaultIsRefused() {
        // A default would be a secret written in the file after all.
        assertOneLine(refused("""
                signatures: { scheme: standard-webhooks, secrets: ["${ACME_WHSEC:c2VjcmV0}"] }
                """)).startsWith(shown(file()) + ": /signatures/secrets/0: ").contains("without a default")
                .doesNotContain("c2VjcmV0");
    }

    @Test
    void schemeToleranceAndApiKeyAreChecked() {
        assertOneLine(refused("""
                signatures: { scheme: hmac, secrets: ["${ACME_WHSEC}"] }
                """)).startsWith(shown(file()) + ": /signatures/scheme: ");
        assertOneLine(refused("""
                signatures: { scheme: standard-webhooks, secrets: ["${ACME_WHSEC}"], tolerance: 2h }
                """)).startsWith(shown(file()) + ": /signatures/tolerance: ").contains("at most 1h");
        assertOneLine(refused("""
                signatures: { scheme: standard-webhooks, secrets: ["${ACME_WHSEC}"], apiKey: sometimes }
                """)).startsWith(shown(file()) + ": /signatures/apiKey: ");
        assertOneLine(refused("""
                signatures: { scheme: standard-webhooks, secrets: [] }
                """)).startsWith(shown(file()) + ": /signatures/secrets: ");
    }

    @Test
    void requiredKeyStillNeedsApiKeys() {
        write(work.resolve("routes/acme.yaml"), ACME_ROUTES);
        write(file(), """
                partner: acme
                signatures: { scheme: standard-webhooks, secrets: ["${ACME_WHSEC}"] }
                events:
                  order-created:
                    route: acme-order-created
                """);
        assertOneLine(assertThrows(InvalidConnectorException.class, this::loadAll)).contains("/apiKeys");
    }

    // --- helpers ---

    private Path file() {
        return work.resolve("connectors/acme.yaml");
    }

    private List<Partner> load(String extra, boolean withKey) {
        return load(extra, withKey, "");
    }

    private List<Partner> load(String extra, boolean withKey, String eventExtra) {
        write(work.resolve("routes/acme.yaml"), ACME_ROUTES);
        String keys = withKey ? "apiKeys:\n  - id: primary\n    sha256: " + KEY_HASH + "\n" : "";
        write(file(), "partner: acme\n" + keys + "events:\n  order-created:\n    route: acme-order-created\n" + eventExtra + extra);
        return loadAll();
    }

    private List<Partner> loadAll() {
        return new ConnectorLoader(work).load(work.resolve("connectors"), work.resolve("routes"));
    }

    private InvalidConnectorException refused(String extra) {
        return assertThrows(InvalidConnectorException.class, () -> load(extra, true));
    }
}
