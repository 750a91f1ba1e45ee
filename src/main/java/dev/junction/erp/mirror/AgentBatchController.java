package dev.junction.erp.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.intake.PayloadReader;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /agents/{vendor}/{items|warehouses|stock}/batch}: a batch of at most 1,000 records and 5 MiB, checked as a
 * whole (media type 415, size 413, JSON 400, record count 413) before any record is. The security chain has already
 * admitted only this vendor's agent tokens, and the rate-limit filter spent one of the vendor's tokens.
 *
 * <p>A Spring MVC controller rather than Camel's REST DSL on platform-http: the 5 MiB limit is enforced while the
 * body is read (platform-http reads a whole body before a route sees it), and every refusal is the same problem
 * document the webhooks answer, from the same code. The pipeline's steps are small classes tested one by one.
 */
@RestController
class AgentBatchController {

    static final int MAX_BYTES = 5 * 1024 * 1024;

    private final PartnerRegistry partners;
    private final BatchIngest ingest;

    AgentBatchController(PartnerRegistry partners, BatchIngest ingest) {
        this.partners = partners;
        this.ingest = ingest;
    }

    @PostMapping("/agents/{vendor}/items/batch")
    BatchAnswer items(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        return batch(vendor, Kind.ITEM, request);
    }

    @PostMapping("/agents/{vendor}/warehouses/batch")
    BatchAnswer warehouses(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        return batch(vendor, Kind.WAREHOUSE, request);
    }

    @PostMapping("/agents/{vendor}/stock/batch")
    BatchAnswer stock(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        return batch(vendor, Kind.STOCK, request);
    }

    private BatchAnswer batch(String vendor, Kind k, HttpServletRequest request) throws IOException {
        Partner partner = partners.find(vendor).filter(p -> p.agent() != null)
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No vendor '" + vendor + "' with an agent"));
        PayloadReader.requireJson(request.getContentType());
        byte[] body = PayloadReader.readBounded(request.getContentLengthLong(), request.getInputStream(), MAX_BYTES,
                "the agent batch limit");
        return ingest.ingest(partner, k, records(PayloadReader.parseExact(body), k));
    }

    private static List<JsonNode> records(JsonNode body, Kind kind) {
        JsonNode array = body.isObject() ? body.get(kind.plural()) : null;
        if (array == null || !array.isArray()) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST,
                    "The body must be a JSON object with an array \"" + kind.plural() + "\": {\"" + kind.plural() + "\":[...]}");
        }
        if (array.size() > Kind.MAX_RECORDS) {
            throw new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "A batch holds at most " + Kind.MAX_RECORDS
                    + " records; this one has " + array.size() + ". Split it");
        }
        List<JsonNode> records = new ArrayList<>(array.size());
        array.forEach(records::add);
        return records;
    }
}
