package dev.junction.erp.mirror;

import java.util.List;

/** A batch's answer: every record's result, in input order, and the counts by status. */
record BatchAnswer(String batchId, Counts counts, List<RecordResult> results) {

    record Counts(long created, long updated, long unchanged, long stale, long rejected) {
        static Counts of(List<RecordResult> results) {
            long[] n = new long[5];
            for (RecordResult r : results) {
                switch (r.status()) {
                    case RecordResult.CREATED -> n[0]++;
                    case RecordResult.UPDATED -> n[1]++;
                    case RecordResult.UNCHANGED -> n[2]++;
                    case RecordResult.STALE -> n[3]++;
                    default -> n[4]++;
                }
            }
            return new Counts(n[0], n[1], n[2], n[3], n[4]);
        }
    }
}
