package dev.junction.intake;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.problem.ProblemException;
import dev.junction.problem.ProblemType;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Checks a webhook body in the order a partner can act on: media type, size, then JSON. The body is read up to
 * one byte past the partner's limit and no further, so an oversized upload is refused without buffering it.
 */
public final class PayloadReader {

    static final int MAX_NESTING_DEPTH = 64;

    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** The same checks, keeping each decimal as written (BigDecimal), for bodies that hold money. */
    private static final ObjectMapper EXACT = JSON.copy().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private PayloadReader() {}

    /** The media type to store, if the request declares JSON in UTF-8; otherwise a 415. */
    public static String requireJson(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type is missing; send application/json");
        }
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (InvalidMediaTypeException e) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "Content-Type '" + abbreviate(contentType) + "' is not a media type; send application/json");
        }
        boolean json = "application".equals(type.getType())
                && ("json".equals(type.getSubtype()) || type.getSubtype().endsWith("+json"));
        if (!json) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "Content-Type " + type.getType() + "/" + type.getSubtype() + " is not accepted; send application/json");
        }
        String charset = type.getParameter("charset");
        if (charset != null && !"utf-8".equals(charset.toLowerCase(Locale.ROOT).replace("\"", ""))) {
            throw new ProblemException(ProblemType.UNSUPPORTED_MEDIA_TYPE, "charset " + abbreviate(charset) + " is not accepted; JSON is UTF-8");
        }
        return type.getType() + "/" + type.getSubtype();
    }

    /** Reads at most {@code maxBytes}; one byte more is a 413. */
    public static byte[] readBounded(long declaredLength, InputStream in, int maxBytes) {
        return readBounded(declaredLength, in, maxBytes, "this partner's limit");
    }

    /** As {@link #readBounded(long, InputStream, int)}, naming whose limit it is in the 413 ({@code limitName}). */
    public static byte[] readBounded(long declaredLength, InputStream in, int maxBytes, String limitName) {
        if (declaredLength > maxBytes) {
            throw tooLarge(maxBytes, limitName);
        }
        byte[] body;
        try {
            body = in.readNBytes(maxBytes + 1);
        } catch (IOException e) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The request body could not be read completely");
        }
        if (body.length > maxBytes) {
            throw tooLarge(maxBytes, limitName);
        }
        if (body.length == 0) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The request body is empty; send a JSON document");
        }
        return body;
    }

    public static JsonNode parse(byte[] body) {
        return parse(body, JSON);
    }

    /** As {@link #parse(byte[])}, with every decimal number read exactly as a BigDecimal, never through a double. */
    public static JsonNode parseExact(byte[] body) {
        return parse(body, EXACT);
    }

    private static JsonNode parse(byte[] body, ObjectMapper mapper) {
        requireUtf8(body);
        try {
            JsonNode tree = mapper.readTree(body);
            if (tree == null || tree.isMissingNode()) {
                throw noValue();
            }
            return tree;
        } catch (NumberFormatException | ArithmeticException e) {
            // Read exactly, a number like 7e777777777777777777777 has no BigDecimal; it is the client's input, not our fault.
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "Malformed JSON: a number is out of range: " + abbreviate(e.getMessage()));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "Malformed JSON: " + abbreviate(e.getMessage()));
        }
    }

    /**
     * The same checks as {@link #parse} (one JSON value, strict duplicates, nesting depth, nothing after it) without
     * building the tree, for events that read nothing from it.
     */
    static void check(byte[] body) {
        requireUtf8(body);
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() == null) {
                throw noValue();
            }
            parser.skipChildren();
            JsonToken trailing = parser.nextToken();
            if (trailing != null) {
                JsonLocation at = parser.currentTokenLocation();
                throw new ProblemException(ProblemType.MALFORMED_REQUEST, "Malformed JSON at line " + at.getLineNr() + ", column "
                        + at.getColumnNr() + ": Trailing token (of type " + trailing + ") found after value");
            }
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "Malformed JSON: " + abbreviate(e.getMessage()));
        }
    }

    private static void requireUtf8(byte[] body) {
        // Jackson would silently accept UTF-16/32; RFC 8259 JSON exchanged between systems is UTF-8, without a BOM.
        if (body[0] == (byte) 0xEF || body[0] == 0 || (body.length > 1 && body[1] == 0) || body[0] == (byte) 0xFE || body[0] == (byte) 0xFF) {
            throw new ProblemException(ProblemType.MALFORMED_REQUEST, "The body must be UTF-8 JSON without a byte order mark");
        }
    }

    private static ProblemException malformed(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new ProblemException(ProblemType.MALFORMED_REQUEST, "Malformed JSON" + where + ": " + abbreviate(e.getOriginalMessage()));
    }

    private static ProblemException noValue() {
        return new ProblemException(ProblemType.MALFORMED_REQUEST, "The request body holds no JSON value, only whitespace");
    }

    private static ProblemException tooLarge(int maxBytes, String limitName) {
        return new ProblemException(ProblemType.PAYLOAD_TOO_LARGE, "The body exceeds " + limitName + " of " + maxBytes + " bytes");
    }

    public static String abbreviate(String text) {
        if (text == null) {
            return "";
        }
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 160) + "...";
    }
}
