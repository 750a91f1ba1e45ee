package dev.junction.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import dev.junction.partner.PartnerEvent;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pulled records meet their event's schema, as a partner's webhooks do. A record that does not stops the run before
 * its page commits (the checkpoint stays before it): it is neither journaled for a route that cannot take it nor
 * skipped silently. Ops see the record and the violations in the run's error, and fix the source or move the
 * checkpoint past it.
 */
final class RecordSchema {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SHOWN = 5;

    private RecordSchema() {}

    static void check(PartnerEvent event, List<PulledRecord> records) throws InvalidRecordException {
        if (event.schema().isEmpty()) {
            return;
        }
        JsonSchema schema = event.schema().get();
        for (PulledRecord r : records) {
            JsonNode node;
            try {
                node = JSON.readTree(r.json());
            } catch (IOException e) {
                throw new InvalidRecordException(r, "is not JSON");
            }
            Set<ValidationMessage> violations = schema.validate(node);
            if (!violations.isEmpty()) {
                throw new InvalidRecordException(r, "does not match the schema of event " + event.name() + ": "
                        + violations.stream().limit(MAX_SHOWN).map(ValidationMessage::getMessage).collect(Collectors.joining("; ")));
            }
        }
    }

    static final class InvalidRecordException extends Exception {
        InvalidRecordException(PulledRecord r, String problem) {
            super("record id " + r.id() + " at cursor " + r.cursor() + " " + problem
                    + "; the run stopped before its page (fix the record at the source, or move the checkpoint past it)");
        }
    }
}
