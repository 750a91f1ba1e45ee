package dev.junction.erp.mirror;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.intake.NewMessage;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Step 5's second half: one message per created or updated record, for the vendor's {@code item-changed},
 * {@code warehouse-changed} or {@code stock-changed} event when its descriptor declares it (else none). The body is
 * {@code {"vendor","kind","key","change","record"}}, the record as the ops GET shows it. A reconciliation's repair adds
 * one {@code deleted} message per record it marked deleted.
 */
final class ChangeFeed {

    /** The journal's {@code kind} for these messages, beside webhook and sync. */
    static final String MESSAGE_KIND = "erp-change";

    private ChangeFeed() {}

    static List<NewMessage> messages(Partner vendor, Kind kind, List<Plan.Change> changes, CodeBook codes) {
        Optional<PartnerEvent> event = vendor.event(kind.event());
        if (event.isEmpty() || changes.isEmpty()) {
            return List.of();
        }
        List<NewMessage> messages = new ArrayList<>(changes.size());
        for (Plan.Change change : changes) {
            messages.add(message(vendor, kind, event.get(), change.record().key(), change.change(),
                    RecordView.of(kind, change.record(), codes)));
        }
        return messages;
    }

    /** One {@code deleted} message per record reconciliation found gone at the agent, the record as the ops GET shows it. */
    static List<NewMessage> deleted(Partner vendor, Kind kind, List<java.util.Map<String, Object>> rows, CodeBook codes) {
        Optional<PartnerEvent> event = vendor.event(kind.event());
        if (event.isEmpty() || rows.isEmpty()) {
            return List.of();
        }
        List<NewMessage> messages = new ArrayList<>(rows.size());
        for (java.util.Map<String, Object> row : rows) {
            messages.add(message(vendor, kind, event.get(), MirrorStore.key(kind, row), "deleted", RecordView.of(kind, row, codes)));
        }
        return messages;
    }

    private static NewMessage message(Partner vendor, Kind kind, PartnerEvent event, String key, String change, ObjectNode record) {
        ObjectNode body = RecordView.JSON.createObjectNode();
        body.put("vendor", vendor.id());
        body.put("kind", kind.label());
        body.put("key", key);
        body.put("change", change);
        body.set("record", record);
        return new NewMessage(MESSAGE_KIND, vendor.id(), kind.event(), event.route(), null, null, "application/json", bytes(body), "{}");
    }

    private static byte[] bytes(ObjectNode body) {
        try {
            return RecordView.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tree of plain values always serializes", e);
        }
    }
}
