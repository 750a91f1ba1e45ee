package dev.junction.deadletter;

import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/** An opaque page cursor: the (deadAt, receiptId) of the last item served. */
record Cursor(Instant deadAt, String receiptId) {

    String encode() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((deadAt + "|" + receiptId).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor decode(String text) {
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|", 2);
            return new Cursor(Instant.parse(parts[0]), parts[1]);
        } catch (RuntimeException e) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "cursor is not one this API returned");
        }
    }
}
