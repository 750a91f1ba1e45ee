package dev.junction.routetest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares what a fixture expects with what a target received: JSON structurally (numbers by value, objects with the
 * same fields, arrays in order), strings as templates whose placeholders match generated values. Answers the first
 * difference, with its JSON pointer, or null when they agree.
 */
final class JsonExpectation {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(any|uuid|receiptId|correlationId)}");
    private static final String UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";

    /** The values {@code ${receiptId}} and {@code ${correlationId}} stand for in one case. */
    record Ids(String receiptId, String correlationId) {}

    private JsonExpectation() {}

    static String firstDifference(JsonNode expected, JsonNode received, String at, Ids ids) {
        if (received == null || received.isMissingNode()) {
            return at + ": expected " + expected + ", received nothing";
        }
        if (expected.isTextual()) {
            if (expected.asText().equals("${any}")) {
                return null;
            }
            String text = received.isValueNode() ? received.asText() : received.toString();
            return matches(expected.asText(), text, ids) && (received.isTextual() || !isPlain(expected.asText()))
                    ? null : at + ": expected " + expected + ", received " + received;
        }
        if (expected.isNumber() && received.isNumber()) {
            return expected.decimalValue().compareTo(received.decimalValue()) == 0 ? null
                    : at + ": expected " + expected + ", received " + received;
        }
        if (expected.isObject() && received.isObject()) {
            for (Iterator<String> names = expected.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                String diff = firstDifference(expected.get(name), received.path(name), at + "/" + name, ids);
                if (diff != null) {
                    return diff;
                }
            }
            for (Iterator<String> names = received.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!expected.has(name)) {
                    return at + "/" + name + ": not expected, received " + received.get(name);
                }
            }
            return null;
        }
        if (expected.isArray() && received.isArray()) {
            for (int i = 0; i < Math.min(expected.size(), received.size()); i++) {
                String diff = firstDifference(expected.get(i), received.get(i), at + "/" + i, ids);
                if (diff != null) {
                    return diff;
                }
            }
            return expected.size() == received.size() ? null
                    : at + ": expected " + expected.size() + " items, received " + received.size() + ": " + received;
        }
        return expected.equals(received) ? null : at + ": expected " + expected + ", received " + received;
    }

    /** A string with placeholders matched against received text. */
    static boolean matches(String template, String text, Ids ids) {
        return text != null && Pattern.compile(regex(template, ids), Pattern.DOTALL).matcher(text).matches();
    }

    private static String regex(String template, Ids ids) {
        StringBuilder regex = new StringBuilder();
        Matcher m = PLACEHOLDER.matcher(template);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(template.substring(last, m.start())));
            regex.append(switch (m.group(1)) {
                case "any" -> ".*";
                case "uuid" -> UUID;
                case "receiptId" -> Pattern.quote(ids.receiptId());
                default -> Pattern.quote(ids.correlationId());
            });
            last = m.end();
        }
        return regex.append(Pattern.quote(template.substring(last))).toString();
    }

    private static boolean isPlain(String template) {
        return !PLACEHOLDER.matcher(template).find();
    }
}
