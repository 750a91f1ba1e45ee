package dev.junction.sandbox;

import dev.junction.JunctionProperties;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A partner's paged REST API inside the hub, for the demo sync job (SYNC-JOBS.md, {@code source.http}): products
 * after {@code (updated_since, after_id)} in (updatedAt, id) order, at most {@code limit}, and a touch that makes a
 * new version of one. On only with {@code junction.sandbox.enabled}.
 *
 * <p>Public like the rest of {@code /sandbox/**}: it serves demo data only, and a touch makes no more than what the
 * demo partner's published key can make with a webhook, one new demo message.
 */
@RestController
class SandboxCatalogController {

    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private final SandboxProducts products;
    private final JunctionProperties.Sandbox settings;

    SandboxCatalogController(JunctionProperties properties, Clock clock) {
        this.settings = properties.sandbox();
        this.products = new SandboxProducts(clock);
    }

    record Items(List<SandboxProducts.Product> items) {}

    /** Empty parameters are absent ones, as a sync job sends them on its first run ({@code updated_since=&after_id=}). */
    @GetMapping("/sandbox/catalog/products")
    Items products(@RequestParam(name = "updated_since", required = false) String updatedSince,
                   @RequestParam(name = "after_id", required = false) String afterId,
                   @RequestParam(required = false) String limit) {
        requireEnabled();
        Instant since = blank(updatedSince) ? null : instant(updatedSince);
        if (since == null && !blank(afterId)) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "after_id needs updated_since: it breaks ties among products updated at that time");
        }
        return new Items(products.after(since, blank(afterId) ? null : afterId, limit(limit)));
    }

    @PostMapping("/sandbox/catalog/products/{id}/touch")
    SandboxProducts.Product touch(@PathVariable String id) {
        requireEnabled();
        return products.touch(id).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND,
                "The sandbox catalog has no product '" + id + "' (p-001 to " + "p-%03d".formatted(SandboxProducts.COUNT) + ")"));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    private static Instant instant(String updatedSince) {
        try {
            return OffsetDateTime.parse(updatedSince.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "updated_since must be an ISO-8601 timestamp with an offset, "
                    + "such as 2026-11-30T10:00:00Z; got '" + shorten(updatedSince) + "'");
        }
    }

    /** Clamped to 1..500, as paged APIs commonly do, rather than refused. */
    private static int limit(String limit) {
        if (blank(limit)) {
            return DEFAULT_LIMIT;
        }
        try {
            return (int) Math.max(1, Math.min(MAX_LIMIT, Long.parseLong(limit.trim())));
        } catch (NumberFormatException e) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be a whole number (1 to " + MAX_LIMIT + "); got '"
                    + shorten(limit) + "'");
        }
    }

    private static String shorten(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }

    private void requireEnabled() {
        if (!settings.enabled()) {
            throw new ProblemException(ProblemType.NOT_FOUND, "The sandbox is off (junction.sandbox.enabled)");
        }
    }
}
