package dev.junction.erp.mapping;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.namedparam.SqlParameterSource;
import org.springframework.stereotype.Component;

/** ERP code mappings and their per-vendor revision, in SQL with named parameters. */
@Component
class MappingStore {

    private final NamedParameterJdbcTemplate jdbc;

    MappingStore(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** A stored mapping as ops list it. */
    record Row(String vendor, String type, String erpCode, String code, String label, boolean active, Instant updatedAt) {}

    /** 0 for a vendor that never imported: its (empty) mappings are cached under that revision. */
    long revision(String vendor) {
        List<Long> revision = revisionRow(vendor);
        return revision.isEmpty() ? 0 : revision.get(0);
    }

    Map<VendorMappings.Key, Mapping> mappings(String vendor) {
        Map<VendorMappings.Key, Mapping> byCode = new HashMap<>();
        jdbc.query("SELECT type, erp_code, code, label, active FROM erp_mapping WHERE vendor = :vendor", Map.of("vendor", vendor), rs -> {
            Mapping m = new Mapping(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getBoolean(5));
            byCode.put(new VendorMappings.Key(m.type(), m.erpCode()), m);
        });
        return byCode;
    }

    /** Ordered by vendor, type, erpCode; null filters match everything. */
    List<Row> list(String vendor, String type) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        if (vendor != null) {
            where.append(" AND vendor = :vendor");
            params.addValue("vendor", vendor);
        }
        if (type != null) {
            where.append(" AND type = :type");
            params.addValue("type", type);
        }
        return jdbc.query("SELECT vendor, type, erp_code, code, label, active, updated_at FROM erp_mapping" + where
                + " ORDER BY vendor, type, erp_code", params, MappingStore::row);
    }

    /**
     * Gives the vendor a revision row for {@link #lockRevision} to lock. Created outside the import's transaction: on
     * PostgreSQL the failed insert of a concurrent first import would abort the whole transaction.
     */
    void createRevisionRow(String vendor) {
        if (!revisionRow(vendor).isEmpty()) {
            return;
        }
        try {
            jdbc.update("INSERT INTO erp_mapping_revision (vendor, revision) VALUES (:vendor, 0)", Map.of("vendor", vendor));
        } catch (DuplicateKeyException createdMeanwhile) {
            // another import created it between the check and the insert: what this one wanted
        }
    }

    /**
     * Holds the vendor's revision row until the transaction ends, so that two imports of one vendor (two clicks, two
     * instances) run one after the other instead of racing to insert the same keys.
     */
    void lockRevision(String vendor) {
        jdbc.queryForList("SELECT revision FROM erp_mapping_revision WHERE vendor = :vendor FOR UPDATE",
                Map.of("vendor", vendor), Long.class);
    }

    private List<Long> revisionRow(String vendor) {
        return jdbc.queryForList("SELECT revision FROM erp_mapping_revision WHERE vendor = :vendor", Map.of("vendor", vendor), Long.class);
    }

    void bumpRevision(String vendor) {
        jdbc.update("UPDATE erp_mapping_revision SET revision = revision + 1 WHERE vendor = :vendor", Map.of("vendor", vendor));
    }

    void insert(String vendor, List<Mapping> mappings, Instant now) {
        if (mappings.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("""
                INSERT INTO erp_mapping (vendor, type, erp_code, code, label, active, updated_at)
                VALUES (:vendor, :type, :erpCode, :code, :label, :active, :now)""", params(vendor, mappings, now));
    }

    void update(String vendor, List<Mapping> mappings, Instant now) {
        if (mappings.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("""
                UPDATE erp_mapping SET code = :code, label = :label, active = :active, updated_at = :now
                WHERE vendor = :vendor AND type = :type AND erp_code = :erpCode""", params(vendor, mappings, now));
    }

    void audit(Instant at, String actor, String summary) {
        jdbc.update("INSERT INTO ops_audit (at, actor, action, reason) VALUES (:at, :actor, 'mapping-import', :reason)",
                new MapSqlParameterSource("at", ts(at)).addValue("actor", actor).addValue("reason", summary));
    }

    private static SqlParameterSource[] params(String vendor, List<Mapping> mappings, Instant now) {
        return mappings.stream().map(m -> new MapSqlParameterSource("vendor", vendor).addValue("type", m.type())
                        .addValue("erpCode", m.erpCode()).addValue("code", m.code()).addValue("label", m.label())
                        .addValue("active", m.active()).addValue("now", ts(now)))
                .toArray(SqlParameterSource[]::new);
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        return new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getBoolean(6),
                rs.getObject(7, OffsetDateTime.class).toInstant());
    }

    private static OffsetDateTime ts(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }
}
