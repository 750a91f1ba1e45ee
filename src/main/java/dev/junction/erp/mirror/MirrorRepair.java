package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.partner.Partner;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.springframework.stereotype.Component;

/**
 * What reconciliation (erp.reconcile) needs of the mirror: the live records' keys and hashes, and a repair that runs a
 * range's records as the agent holds them through the ingest pipeline (validation, hashing, mapping, upsert, change
 * events, all in {@link BatchIngest}'s one transaction) without the timestamp guard, and marks deleted, in the same
 * transaction, the hub's records of the range that the agent lacks.
 */
@Component
public class MirrorRepair {

    /** A live record of the mirror: its key ({@code erpId} or {@code warehouseErpId/itemErpId}) and content hash. */
    public record Entry(String key, List<String> keyParts, String hash) {}

    /**
     * What a repair did. {@code rejections} lists the agent's records the pipeline refused ({@code key: field message}):
     * those stay as the hub has them.
     */
    public record Result(long created, long updated, long unchanged, long rejected, List<String> deleted, List<String> rejections) {}

    /**
     * Run inside a repair's transaction, on its connection, just before the commit: throws (any unchecked exception, or
     * SQLException) to refuse the repair, which then writes nothing. Reconciliation checks there that its run still
     * holds the vendor's lease, and locks the lease row until the commit, so a run that lost the lease cannot write
     * after the new holder started, however late its thread wakes up.
     */
    @FunctionalInterface
    public interface Fence {
        void check(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final BatchIngest ingest;

    MirrorRepair(DataSource dataSource, BatchIngest ingest) {
        this.dataSource = dataSource;
        this.ingest = ingest;
    }

    /** Every live (not deleted) record of the vendor's kind, in no particular order: the caller orders keys its way. */
    public List<Entry> live(String vendor, Kind kind) throws SQLException {
        String sql = "SELECT " + String.join(", ", kind.keyColumns()) + ", content_hash FROM " + kind.table()
                + " WHERE vendor = ? AND deleted = FALSE";
        int n = kind.keyColumns().size();
        List<Entry> entries = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, vendor);
            ps.setFetchSize(1000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> parts = new ArrayList<>(n);
                    for (int k = 1; k <= n; k++) {
                        parts.add(rs.getString(k));
                    }
                    entries.add(new Entry(Kind.key(parts), List.copyOf(parts), rs.getString(n + 1)));
                }
            }
        }
        return entries;
    }

    /**
     * Stores the agent's {@code records} (the agent wins, even with an older updatedAt) and marks deleted those of
     * {@code hubInRange} whose key the agent did not send and whose hash is still the one given. The change events
     * carry {@code correlationId} (the reconciliation run). Throws ProblemException (503) when the database fails;
     * nothing of the repair is then stored. {@code fence} (null: none) is checked in the repair's transaction before it commits.
     */
    public Result repair(Partner vendor, Kind kind, List<JsonNode> records, List<Entry> hubInRange, String correlationId, Fence fence) {
        List<BatchIngest.Deletion> candidates = hubInRange.stream()
                .map(e -> new BatchIngest.Deletion(e.keyParts(), e.hash())).toList();
        BatchIngest.Outcome outcome = ingest.ingest(vendor, kind, records, candidates, correlationId, fence);
        BatchAnswer.Counts counts = BatchAnswer.Counts.of(outcome.answer().results());
        List<String> rejections = outcome.answer().results().stream()
                .filter(r -> RecordResult.REJECTED.equals(r.status()))
                .map(r -> r.key() + ": " + r.errors().stream().map(e -> e.field() + " " + e.message()).toList())
                .toList();
        return new Result(counts.created(), counts.updated(), counts.unchanged(), counts.rejected(), outcome.deleted(), rejections);
    }
}
