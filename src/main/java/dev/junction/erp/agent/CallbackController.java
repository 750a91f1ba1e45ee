package dev.junction.erp.agent;

import dev.junction.delivery.AgentCallbacks;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /agents/{vendor}/callbacks}: the agent says what the ERP did with an order (ERP-AGENTS.md). {@code 200}
 * when taken (applied, a repeat, or kept until the hub records the agent's 2xx), {@code 404} for a receipt that is
 * not an order sent to this vendor's agent, {@code 409} when it contradicts the order's final state.
 */
@RestController
class CallbackController {

    private final AgentCallbacks callbacks;

    CallbackController(AgentCallbacks callbacks) {
        this.callbacks = callbacks;
    }

    record Taken(String receiptId, String outcome) {}

    @PostMapping("/agents/{vendor}/callbacks")
    Taken callback(@PathVariable String vendor, HttpServletRequest request) throws IOException {
        AgentCallbacks.Callback callback = AgentRequests.callback(request);
        AgentCallbacks.Answer answer = callbacks.accept(vendor, callback);
        return switch (answer) {
            case UNKNOWN -> throw new ProblemException(ProblemType.NOT_FOUND, "No order " + callback.receiptId()
                    + " was sent to the agent of '" + vendor + "'");
            case CONTRADICTION -> throw new ProblemException(ProblemType.CONFLICT, "Order " + callback.receiptId()
                    + " is already settled differently (a callback with another status or erpReference, or the order was given up after its attempts); nothing changed");
            case APPLIED -> new Taken(callback.receiptId(), "applied");
            case REPEAT -> new Taken(callback.receiptId(), "repeat");
            case KEPT -> new Taken(callback.receiptId(), "kept");
        };
    }
}
