package dev.junction.security;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The calling ops key's id and role, so that the console shows a read key's action buttons disabled with the reason
 * instead of letting it find out from a 403. Any ops key may ask ({@code GET /ops/**} needs read).
 */
@RestController
class WhoAmIController {

    record Identity(String id, String role) {}

    @GetMapping("/ops/whoami")
    Identity whoami(HttpServletRequest request) {
        // The security chain admitted an ops key to get here.
        Caller.OpsCaller ops = (Caller.OpsCaller) Caller.of(request).orElseThrow();
        return new Identity(ops.keyId(), ops.role().label());
    }
}
