package dev.junction.deadletter;

import dev.junction.problem.Problem;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import dev.junction.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Ops over dead letters: inspect, replay one or many, discard with a reason; every action is audited. */
@RestController
class DeadLetterController {

    private static final int MAX_LIMIT = 500;

    private final DeadLetterStore store;
    private final TransactionTemplate tx;
    private final Clock clock;

    DeadLetterController(DeadLetterStore store, TransactionTemplate tx, Clock clock) {
        this.store = store;
        this.tx = tx;
        this.clock = clock;
    }

    record Page(List<DeadLetterStore.Item> items, String nextCursor) {}

    record BulkReplay(String partner, String event, Instant deadAfter, Instant deadBefore, String error, Boolean dryRun) {}

    record BulkResult(int matched, int replayed) {}

    record Discard(String reason) {}

    @GetMapping("/ops/dead-letters")
    Page list(@RequestParam(required = false) String partner, @RequestParam(required = false) String event,
              @RequestParam(required = false) Instant deadAfter, @RequestParam(required = false) Instant deadBefore,
              @RequestParam(required = false) String error,
              @RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) String cursor) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        List<DeadLetterStore.Item> items = store.list(new DeadLetterStore.Filter(partner, event, deadAfter, deadBefore, error),
                cursor == null ? null : Cursor.decode(cursor), limit + 1);
        if (items.size() <= limit) {
            return new Page(items, null);
        }
        DeadLetterStore.Item last = items.get(limit - 1);
        return new Page(items.subList(0, limit), new Cursor(last.deadAt(), last.receiptId()).encode());
    }

    @GetMapping("/ops/dead-letters/{receiptId}")
    DeadLetterStore.Detail detail(@PathVariable String receiptId) {
        return store.detail(receiptId).orElseThrow(() -> unknown(receiptId));
    }

    @PostMapping("/ops/dead-letters/{receiptId}/replay")
    ResponseEntity<Map<String, String>> replay(@PathVariable String receiptId, HttpServletRequest request) {
        String actor = actor(request);
        Boolean replayed = tx.execute(s -> {
            if (!store.replay(receiptId, clock.instant())) {
                return false;
            }
            store.audit(clock.instant(), actor, "replay", receiptId, null);
            return true;
        });
        if (!Boolean.TRUE.equals(replayed)) {
            throw notDead(receiptId);
        }
        return ResponseEntity.accepted().body(Map.of("receiptId", receiptId, "status", "accepted"));
    }

    @PostMapping("/ops/dead-letters/replay")
    BulkResult replayMatching(@RequestBody BulkReplay filter, HttpServletRequest request) {
        String actor = actor(request);
        List<String> matched = store.matching(new DeadLetterStore.Filter(filter.partner(), filter.event(), filter.deadAfter(),
                filter.deadBefore(), filter.error()));
        if (Boolean.TRUE.equals(filter.dryRun())) {
            return new BulkResult(matched.size(), 0);
        }
        int replayed = 0;
        for (String id : matched) {
            Boolean done = tx.execute(s -> {
                if (!store.replay(id, clock.instant())) {
                    return false;
                }
                store.audit(clock.instant(), actor, "replay", id, "bulk replay");
                return true;
            });
            replayed += Boolean.TRUE.equals(done) ? 1 : 0;
        }
        return new BulkResult(matched.size(), replayed);
    }

    @PostMapping("/ops/dead-letters/{receiptId}/discard")
    Map<String, String> discard(@PathVariable String receiptId, @RequestBody(required = false) Discard body, HttpServletRequest request) {
        String reason = body == null || body.reason() == null ? "" : body.reason().trim();
        if (reason.isEmpty()) {
            throw new ProblemException(Problem.of(ProblemType.VALIDATION_FAILED, "A discard needs a reason")
                    .withErrors(List.of(new Problem.FieldError("/reason", "required, not blank"))), Map.of());
        }
        String actor = actor(request);
        Boolean discarded = tx.execute(s -> {
            if (!store.discard(receiptId, reason)) {
                return false;
            }
            store.audit(clock.instant(), actor, "discard", receiptId, reason);
            return true;
        });
        if (!Boolean.TRUE.equals(discarded)) {
            throw notDead(receiptId);
        }
        return Map.of("receiptId", receiptId, "status", "discarded");
    }

    @GetMapping("/ops/audit")
    List<DeadLetterStore.AuditEntry> audit(@RequestParam(required = false) String receiptId,
                                           @RequestParam(required = false) String action,
                                           @RequestParam(required = false) String partner,
                                           @RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "limit must be between 1 and " + MAX_LIMIT);
        }
        return store.audit(receiptId, action, partner, limit);
    }

    private ProblemException notDead(String receiptId) {
        String status = store.status(receiptId).orElseThrow(() -> unknown(receiptId));
        return new ProblemException(ProblemType.CONFLICT, "Message " + receiptId + " is " + status + ", not dead");
    }

    private static ProblemException unknown(String receiptId) {
        return new ProblemException(ProblemType.NOT_FOUND, "No message " + receiptId);
    }

    private static String actor(HttpServletRequest request) {
        return Caller.of(request).map(Caller::keyId).orElse("unknown");
    }
}
