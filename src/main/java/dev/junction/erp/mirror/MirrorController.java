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
import org.springframework.web.bind.annotation.RestController;

/** Ops read the mirror: one stored record with resolved codes, derived fields, its hash and ERP timestamp. */
@RestController
class MirrorController {

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

    private ObjectNode read(String vendor, Kind kind, List<String> key) throws SQLException {
        if (partners.find(vendor).filter(p -> p.agent() != null).isEmpty()) {
            throw new ProblemException(ProblemType.NOT_FOUND, "No vendor '" + vendor + "' with an agent");
        }
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
