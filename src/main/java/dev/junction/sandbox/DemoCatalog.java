package dev.junction.sandbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.erp.RecordHashes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The sandbox agent's "ERP": a small data set (warehouses, items, stock) it pushes to the hub and serves the
 * reconcile endpoints over (ERP-AGENTS.md, "Reconciliation"). Keys are ordered as UTF-8 bytes, ranges are
 * {@code [from, to)}, and a record's content hash is the hub's own ({@link RecordHashes}).
 */
final class DemoCatalog {

    /** The kinds, by the name the reconcile paths use, with how a record's key is made. */
    enum Kind {
        ITEMS("items"), WAREHOUSES("warehouses"), STOCK("stock");

        private final String path;

        Kind(String path) {
            this.path = path;
        }

        String path() {
            return path;
        }

        static Optional<Kind> of(String path) {
            for (Kind k : values()) {
                if (k.path.equals(path)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }

        String key(ObjectNode record) {
            return this == STOCK ? record.path("warehouseErpId").asText() + "/" + record.path("itemErpId").asText()
                    : record.path("erpId").asText();
        }
    }

    /** Comparing code points is comparing UTF-8 bytes (String.compareTo compares UTF-16 units, which differs past U+FFFF). */
    static final Comparator<String> UTF8_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    record Checksum(int count, String checksum) {}

    record Page(List<ObjectNode> records, String next) {}

    record Drifted(String kind, String key, String label, String contentHash) {}

    private static final JsonNodeFactory JSON = JsonNodeFactory.withExactBigDecimals(true);
    private static final String UPDATED_AT = "2026-11-30T08:00:00Z";

    private final Map<Kind, NavigableMap<String, ObjectNode>> records = new EnumMap<>(Kind.class);
    private int drifts;

    DemoCatalog(Map<Kind, List<ObjectNode>> data) {
        for (Kind kind : Kind.values()) {
            NavigableMap<String, ObjectNode> byKey = new TreeMap<>(UTF8_ORDER);
            for (ObjectNode record : data.getOrDefault(kind, List.of())) {
                byKey.put(kind.key(record), record.deepCopy());
            }
            records.put(kind, byKey);
        }
    }

    /** Two warehouses, twenty fruit, vegetable and grocery items coded as the shipped mapping export codes them, their stock. */
    static DemoCatalog demo() {
        List<ObjectNode> warehouses = List.of(
                warehouse("WH-MAIN", "Entrepôt principal (Rungis)", true, true, 0),
                warehouse("WH-COLD", "Chambre froide", false, false, 0));
        Object[][] items = {
                // erpId, sku, label, unit, vat, family, subfamily, price excl. VAT
                {"ART-1001", "POM-GOLD-KG", "Pommes Golden", "KG", "3", "FL", "FL01", "2.40"},
                {"ART-1002", "POI-CONF-KG", "Poires Conférence", "KG", "3", "FL", "FL01", "2.90"},
                {"ART-1003", "BAN-KG", "Bananes", "KG", "3", "FL", "FL01", "1.95"},
                {"ART-1004", "ORA-NAV-KG", "Oranges Navel", "KG", "3", "FL", "FL01", "2.10"},
                {"ART-1005", "CIT-KG", "Citrons jaunes", "KG", "3", "FL", "FL01", "3.20"},
                {"ART-1006", "FRA-BAR-250", "Fraises barquette 250 g", "PCE", "3", "FL", "FL01", "2.75"},
                {"ART-1007", "KIW-PCE", "Kiwis", "PCE", "3", "FL", "FL01", "0.35"},
                {"ART-1008", "RAI-BL-KG", "Raisin blanc", "KG", "3", "FL", "FL01", "4.50"},
                {"ART-1009", "CAR-KG", "Carottes", "KG", "3", "FL", "FL02", "1.10"},
                {"ART-1010", "POT-KG", "Pommes de terre", "KG", "3", "FL", "FL02", "0.95"},
                {"ART-1011", "TOM-GRP-KG", "Tomates grappe", "KG", "3", "FL", "FL02", "3.40"},
                {"ART-1012", "COU-KG", "Courgettes", "KG", "3", "FL", "FL02", "2.20"},
                {"ART-1013", "SAL-BAT-PCE", "Salade batavia", "PCE", "3", "FL", "FL02", "0.90"},
                {"ART-1014", "OIG-JAU-KG", "Oignons jaunes", "KG", "3", "FL", "FL02", "1.30"},
                {"ART-1015", "POI-VERT-KG", "Poivrons verts", "KG", "3", "FL", "FL02", "3.80"},
                {"ART-1016", "CHA-PAR-KG", "Champignons de Paris", "KG", "3", "FL", "FL03", "4.20"},
                {"ART-1017", "AIL-KG", "Ail blanc", "KG", "3", "FL", "FL03", "6.90"},
                {"ART-1018", "PER-BOT", "Persil plat botte", "BOT", "3", "FL", "FL03", "0.80"},
                {"ART-1019", "HUI-OLI-L", "Huile d'olive vierge extra", "L", "3", "EPI", "EPI01", "8.50"},
                {"ART-1020", "SEL-GUE-KG", "Sel de Guérande", "KG", "3", "EPI", "EPI01", "2.60"},
        };
        List<ObjectNode> itemRecords = new ArrayList<>();
        List<ObjectNode> stock = new ArrayList<>();
        for (int i = 0; i < items.length; i++) {
            Object[] it = items[i];
            BigDecimal excl = new BigDecimal((String) it[7]);
            // VAT code 3 of the export is the 5.5 % reduced rate on food.
            BigDecimal incl = excl.multiply(new BigDecimal("1.055")).setScale(2, RoundingMode.HALF_UP);
            itemRecords.add(item((String) it[0], (String) it[1], (String) it[2], (String) it[3], (String) it[4], (String) it[5],
                    (String) it[6], excl, incl));
            stock.add(stock("WH-MAIN", (String) it[0], BigDecimal.valueOf(40 + 7L * i), excl.multiply(new BigDecimal("0.7"))
                    .setScale(4, RoundingMode.HALF_UP)));
            if (i < 8) {
                stock.add(stock("WH-COLD", (String) it[0], BigDecimal.valueOf(10 + 3L * i), excl.multiply(new BigDecimal("0.7"))
                        .setScale(4, RoundingMode.HALF_UP)));
            }
        }
        return new DemoCatalog(Map.of(Kind.WAREHOUSES, warehouses, Kind.ITEMS, itemRecords, Kind.STOCK, stock));
    }

    static ObjectNode warehouse(String erpId, String name, boolean isDefault, boolean isMain, int type) {
        ObjectNode w = JSON.objectNode();
        w.put("erpId", erpId).put("name", name).put("isDefault", isDefault).put("isMain", isMain).put("type", type)
                .put("updatedAt", UPDATED_AT);
        return w;
    }

    static ObjectNode item(String erpId, String sku, String label, String unit, String vat, String family, String subfamily,
                           BigDecimal priceExclVat, BigDecimal priceInclVat) {
        ObjectNode item = JSON.objectNode();
        item.put("erpId", erpId).put("sku", sku).put("label", label).put("unit", unit).put("vat", vat)
                .put("family", family).put("subfamily", subfamily).put("priceExclVat", priceExclVat).put("priceInclVat", priceInclVat)
                .put("updatedAt", UPDATED_AT);
        return item;
    }

    static ObjectNode stock(String warehouseErpId, String itemErpId, BigDecimal quantity, BigDecimal pump) {
        ObjectNode s = JSON.objectNode();
        s.put("warehouseErpId", warehouseErpId).put("itemErpId", itemErpId).put("quantity", quantity).put("pump", pump)
                .put("updatedAt", UPDATED_AT);
        return s;
    }

    /** Copies of every record of a kind, in key order: what a batch pushes. */
    synchronized List<ObjectNode> all(Kind kind) {
        return records.get(kind).values().stream().map(ObjectNode::deepCopy).toList();
    }

    synchronized Checksum checksum(Kind kind, String from, String to) {
        MessageDigest digest = sha256();
        int count = 0;
        for (Map.Entry<String, ObjectNode> e : range(kind, from, to).entrySet()) {
            digest.update((e.getKey() + ":" + RecordHashes.contentHash(e.getValue()) + "\n").getBytes(StandardCharsets.UTF_8));
            count++;
        }
        return new Checksum(count, HexFormat.of().formatHex(digest.digest()));
    }

    synchronized Page records(Kind kind, String from, String to, int limit) {
        List<ObjectNode> page = new ArrayList<>(Math.min(limit, 1000));
        String next = null;
        for (Map.Entry<String, ObjectNode> e : range(kind, from, to).entrySet()) {
            if (page.size() == limit) {
                next = e.getKey();
                break;
            }
            page.add(e.getValue().deepCopy());
        }
        return new Page(page, next);
    }

    /**
     * Changes one item's label (the given one, else the first) in the agent's copy only, so the hub's mirror and the
     * "ERP" disagree until reconciliation repairs it; empty when there is no such item.
     */
    synchronized Optional<Drifted> drift(String erpId) {
        NavigableMap<String, ObjectNode> items = records.get(Kind.ITEMS);
        String key = erpId != null ? erpId : items.isEmpty() ? null : items.firstKey();
        ObjectNode item = key == null ? null : items.get(key);
        if (item == null) {
            return Optional.empty();
        }
        drifts++;
        String label = item.path("label").asText().replaceAll(" \\(drift \\d+\\)$", "") + " (drift " + drifts + ")";
        item.put("label", label);
        return Optional.of(new Drifted("item", key, label, RecordHashes.contentHash(item)));
    }

    private NavigableMap<String, ObjectNode> range(Kind kind, String from, String to) {
        NavigableMap<String, ObjectNode> all = records.get(kind);
        if (from != null && to != null && UTF8_ORDER.compare(from, to) >= 0) {
            return new TreeMap<>(UTF8_ORDER);
        }
        if (from != null && to != null) {
            return all.subMap(from, true, to, false);
        }
        if (from != null) {
            return all.tailMap(from, true);
        }
        return to != null ? all.headMap(to, false) : all;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DemoCatalog[items=%d, warehouses=%d, stock=%d]", records.get(Kind.ITEMS).size(),
                records.get(Kind.WAREHOUSES).size(), records.get(Kind.STOCK).size());
    }
}
