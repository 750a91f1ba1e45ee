package dev.junction.sandbox;

import dev.junction.JunctionProperties;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A receiver inside the hub for the demo partner and for trying routes without a real target: it records the last
 * requests it got (ops can list them) and answers 200, or the status asked for with {@code ?status=503}.
 */
@RestController
class SandboxController {

    private final Deque<Received> received = new ArrayDeque<>();
    private final JunctionProperties.Sandbox settings;
    private final Clock clock;

    SandboxController(JunctionProperties properties, Clock clock) {
        this.settings = properties.sandbox();
        this.clock = clock;
    }

    record Received(Instant at, String name, String method, String path, Map<String, String> headers, String body) {}

    @RequestMapping(value = {"/sandbox/{name}", "/sandbox/{name}/{path}"}, method = {RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH})
    ResponseEntity<Map<String, Object>> receive(@PathVariable String name, @RequestParam(defaultValue = "200") int status,
                                                HttpServletRequest request) throws IOException {
        if (!settings.enabled()) {
            return ResponseEntity.notFound().build();
        }
        // Bounded: at most keep x 16 KiB of memory, whatever is sent to this public endpoint.
        byte[] body = request.getInputStream().readNBytes(16 * 1024);
        Map<String, String> headers = new TreeMap<>();
        for (String h : Collections.list(request.getHeaderNames())) {
            String lower = h.toLowerCase(Locale.ROOT);
            headers.put(lower, lower.equals("authorization") || lower.equals("x-api-key") ? "[redacted]" : request.getHeader(h));
        }
        synchronized (received) {
            received.addFirst(new Received(clock.instant(), name, request.getMethod(), request.getRequestURI(), headers,
                    new String(body, StandardCharsets.UTF_8)));
            while (received.size() > settings.keep()) {
                received.removeLast();
            }
        }
        int answer = status >= 200 && status <= 599 ? status : 200;
        return ResponseEntity.status(answer).body(Map.of("received", true));
    }

    @GetMapping("/ops/sandbox/requests")
    List<Received> requests(@RequestParam(required = false) String name) {
        synchronized (received) {
            return received.stream().filter(r -> name == null || r.name().equals(name)).toList();
        }
    }
}
