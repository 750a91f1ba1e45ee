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
 * {@code {"vendor","kind","key","change","record"}}, the record as the ops GET shows it.
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
            ObjectNode body = RecordView.JSON.createObjectNode();
            body.put("vendor", vendor.id());
            body.put("kind", kind.label());
            body.put("key", change.record().key());
            body.put("change", change.change());
            body.set("record", RecordView.of(kind, change.record(), codes));
            messages.add(new NewMessage(MESSAGE_KIND, vendor.id(), kind.event(), event.get().route(), null, null,
                    "application/json", bytes(body), "{}"));
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
            ObjectNode body = RecordView.JSON.createObjectNode();
            body.put("vendor", vendor.id());
            body.put("kind", kind.label());
            body.put("key", MirrorStore.key(kind, row));
            body.put("change", "deleted");
            body.set("record", RecordView.of(kind, row, codes));
            messages.add(new NewMessage(MESSAGE_KIND, vendor.id(), kind.event(), event.get().route(), null, null,
                    "application/json", bytes(body), "{}"));
        }
        return messages;
    }

    private static byte[] bytes(ObjectNode body) {
        try {
            return RecordView.JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A tree of plain values always serializes", e);
        }
    }
}
