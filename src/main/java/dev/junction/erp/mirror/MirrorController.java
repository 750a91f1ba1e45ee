package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.partner.PartnerRegistry;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Ops read the mirror: one stored record, or pages of them in key order, each with resolved codes, derived fields,
 * its content hash, its ERP timestamp and whether reconciliation found it deleted at the agent.
 */
@RestController
class MirrorController {

    private static final int MAX_PAGE = 1000;

    private final PartnerRegistry partners;
    private final DataSource dataSource;
    private final CodeBooks codeBooks;

    MirrorController(PartnerRegistry partners, DataSource dataSource, CodeBooks codeBooks) {
        this.partners = partners;
        this.dataSource = dataSource;
        this.codeBooks = codeBooks;
    }

    @GetMapping("/ops/erp/{vendor}/items/{erpId}")
    ObjectNode item(@PathVariable String vendor, @PathVariable String erpId) throws SQLException {
        return read(vendor, Kind.ITEM, List.of(erpId));
    }

    @GetMapping("/ops/erp/{vendor}/warehouses/{erpId}")
    ObjectNode warehouse(@PathVariable String vendor, @PathVariable String erpId) throws SQLException {
        return read(vendor, Kind.WAREHOUSE, List.of(erpId));
    }

    @GetMapping("/ops/erp/{vendor}/stock/{warehouseErpId}/{itemErpId}")
    ObjectNode stock(@PathVariable String vendor, @PathVariable String warehouseErpId, @PathVariable String itemErpId) throws SQLException {
        return read(vendor, Kind.STOCK, List.of(warehouseErpId, itemErpId));
    }

    /** A page of stored records in key order: {@code {"records":[...],"next":"<key>"|null}}; pass {@code next} as {@code after}. */
    record Page(List<ObjectNode> records, String next) {}

    @GetMapping("/ops/erp/{vendor}/items")
    Page items(@PathVariable String vendor, @RequestParam(required = false) String after,
               @RequestParam(defaultValue = "100") int limit) throws SQLException {
        return page(vendor, Kind.ITEM, after, limit);
    }

    @GetMapping("/ops/erp/{vendor}/warehouses")
    Page warehouses(@PathVariable String vendor, @RequestParam(required = false) String after,
                    @RequestParam(defaultValue = "100") int limit) throws SQLException {
        return page(vendor, Kind.WAREHOUSE, after, limit);
    }

    @GetMapping("/ops/erp/{vendor}/stock")
    Page stock(@PathVariable String vendor, @RequestParam(required = false) String after,
               @RequestParam(defaultValue = "100") int limit) throws SQLException {
        return page(vendor, Kind.STOCK, after, limit);
    }

    private Page page(String vendor, Kind kind, String after, int limit) throws SQLException {
        requireVendor(vendor);
        if (limit < 1 || limit > MAX_PAGE) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_PAGE);
        }
        List<String> from = null;
        if (after != null) {
            from = List.of(after.split("/", -1));
            if (from.size() != kind.keyColumns().size()) {
                throw new ProblemException(ProblemType.MALFORMED_REQUEST, "after must be a " + kind.label() + " key"
                        + (kind == Kind.STOCK ? " (warehouseErpId/itemErpId)" : " (erpId)"));
            }
        }
        List<Map<String, Object>> rows;
        try (Connection c = dataSource.getConnection()) {
            rows = MirrorStore.list(c, kind, vendor, from, limit + 1);
        }
        CodeBook codes = kind == Kind.ITEM ? codeBooks.of(vendor) : CodeBook.NONE;
        List<ObjectNode> records = rows.stream().limit(limit).map(r -> RecordView.of(kind, r, codes)).toList();
        String next = rows.size() > limit ? MirrorStore.key(kind, rows.get(limit - 1)) : null;
        return new Page(records, next);
    }

    private void requireVendor(String vendor) {
        if (partners.find(vendor).filter(p -> p.agent() != null).isEmpty()) {
            throw new ProblemException(ProblemType.NOT_FOUND, "No vendor '" + vendor + "' with an agent");
        }
    }

    private ObjectNode read(String vendor, Kind kind, List<String> key) throws SQLException {
        requireVendor(vendor);
        Map<String, Object> row;
        try (Connection c = dataSource.getConnection()) {
            row = MirrorStore.read(c, kind, vendor, key);
        }
        if (row == null) {
            throw new ProblemException(ProblemType.NOT_FOUND, "Vendor '" + vendor + "' has no " + kind.label() + " " + Kind.key(key));
        }
        return RecordView.of(kind, row, kind == Kind.ITEM ? codeBooks.of(vendor) : CodeBook.NONE);
    }
}
