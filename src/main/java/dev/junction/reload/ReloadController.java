package dev.junction.reload;

import dev.junction.problem.Problem;
import dev.junction.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /ops/reload} (admin, like every ops action) and {@code GET /ops/config}. */
@RestController
class ReloadController {

    private static final URI INVALID = URI.create("https://junction.dev/problems/invalid-configuration");

    private final ConfigReloader reloader;
    private final ReloadSettings settings;

    ReloadController(ConfigReloader reloader, ReloadSettings settings) {
        this.reloader = reloader;
        this.settings = settings;
    }

    record Reloaded(long version, Instant loadedAt, boolean changed) {}

    /** The 422 of a refused reload: a problem whose {@code errors} are {@code file: field: problem} lines. */
    record Refused(URI type, String title, int status, String detail, List<String> errors, long version) {}

    @PostMapping("/ops/reload")
    ResponseEntity<?> reload(HttpServletRequest request) {
        ConfigReloader.Result result = reloader.reload(Caller.of(request).map(Caller::keyId).orElse("unknown"), true);
        if (result.refused()) {
            return ResponseEntity.unprocessableEntity().contentType(MediaType.parseMediaType(Problem.MEDIA_TYPE))
                    .body(new Refused(INVALID, "Configuration refused", 422, "The connector and route files are not valid; version "
                            + result.running().version() + " keeps running", result.errors(), result.running().version()));
        }
        return ResponseEntity.ok(new Reloaded(result.running().version(), result.running().loadedAt(), result.changed()));
    }

    @GetMapping("/ops/config")
    Map<String, Object> config() {
        ConfigReloader.Status s = reloader.status();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", s.version());
        body.put("loadedAt", s.loadedAt());
        body.put("lastError", s.lastError());
        body.put("lastErrorAt", s.lastErrorAt());
        body.put("contentHash", s.contentHash());
        body.put("files", s.files());
        body.put("restartRequired", s.restartRequired());
        body.put("watch", Map.of("enabled", settings.watch(), "interval", settings.interval().toString()));
        return body;
    }
}
