package dev.junction.sandbox;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The demo catalog a sync job pulls from ({@code GET /sandbox/catalog/products}): 50 products in memory, ordered by
 * (updatedAt, id), in runs of four equal updatedAt values so that most page sizes end a page inside a run, the case
 * where pull-sync tools lose or repeat records. A touch makes a new version of one product.
 */
final class SandboxProducts {

    static final int COUNT = 50;
    static final Instant FIRST_UPDATE = Instant.parse("2026-11-02T08:00:00Z");
    private static final String[] NAMES = {"Espresso beans 1 kg", "Green tea 100 g", "Oat milk 1 L", "Dark chocolate 70%",
        "Olive oil 750 ml", "Basmati rice 2 kg", "Sea salt 500 g", "Honey 250 g", "Rye bread", "Apple juice 1 L"};
    private static final Comparator<Product> ORDER = Comparator.comparing(Product::updated).thenComparing(Product::id);

    /** A product as served; {@code updatedAt} is rendered once per version, so every read spells it the same way. */
    record Product(String id, String name, BigDecimal price, String updatedAt) {
        Instant updated() {
            return Instant.parse(updatedAt);
        }
    }

    private final Map<String, Product> byId = new LinkedHashMap<>();
    private final Clock clock;

    SandboxProducts(Clock clock) {
        this.clock = clock;
        for (int i = 0; i < COUNT; i++) {
            String id = "p-%03d".formatted(i + 1);
            String name = NAMES[i % NAMES.length] + (i < NAMES.length ? "" : " (" + (i / NAMES.length + 1) + ")");
            BigDecimal price = new BigDecimal("2.50").add(new BigDecimal("0.35").multiply(BigDecimal.valueOf(i)));
            byId.put(id, new Product(id, name, price, FIRST_UPDATE.plus(i / 4, ChronoUnit.MINUTES).toString()));
        }
    }

    /**
     * At most {@code limit} products after ({@code since}, {@code afterId}) in (updatedAt, id) order: those updated
     * later, and those updated at {@code since} with a greater id (all of them when {@code afterId} is null, a
     * lookback); every product when {@code since} is null.
     */
    synchronized List<Product> after(Instant since, String afterId, int limit) {
        return byId.values().stream()
                .filter(p -> since == null || p.updated().isAfter(since)
                        || p.updated().equals(since) && (afterId == null || p.id().compareTo(afterId) > 0))
                .sorted(ORDER)
                .limit(limit)
                .toList();
    }

    /**
     * A new version of the product, updated now; or just after the newest product when the clock is behind the demo
     * data, since a new version dated before a job's checkpoint would never be pulled.
     */
    synchronized Optional<Product> touch(String id) {
        Product old = byId.get(id);
        if (old == null) {
            return Optional.empty();
        }
        Instant newest = byId.values().stream().map(Product::updated).max(Comparator.naturalOrder()).orElse(FIRST_UPDATE);
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant updated = now.isAfter(newest) ? now : newest.plusMillis(1);
        Product touched = new Product(id, old.name(), old.price(), updated.toString());
        byId.put(id, touched);
        return Optional.of(touched);
    }
}
