package dev.junction.erp.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a mapping export (a JSON array of the ERP's mapping records) into mappings per vendor, and says why each
 * entry it cannot use is skipped. Store-specific fields ({@code _id}, {@code _creationTime}, {@code createdAt},
 * {@code updatedAt}) are not read.
 */
final class ExportReader {

    /** The column sizes of erp_mapping: a longer value is skipped here rather than failing the whole import. */
    static final int MAX_CODE = 128;
    static final int MAX_LABEL = 255;
    private static final List<Map.Entry<String, Integer>> LIMITS =
            List.of(Map.entry("erpCode", MAX_CODE), Map.entry("restoCode", MAX_CODE), Map.entry("restoLabel", MAX_LABEL));

    private ExportReader() {}

    /** An entry left out of the import; its fields as the export has them (null when absent or not a value). */
    record Skipped(int index, String vendorId, String mappingType, String erpCode, String reason) {}

    /** @param byVendor per partner id, the mappings to store, at most one per (type, erpCode) */
    record Read(Map<String, Map<VendorMappings.Key, Mapping>> byVendor, List<Skipped> skipped) {}

    /** @param vendors export vendorId to partner id, for every vendor a descriptor declares */
    static Read read(JsonNode export, Map<String, String> vendors) {
        Map<String, Map<VendorMappings.Key, Integer>> indexes = new LinkedHashMap<>();
        Map<String, Map<VendorMappings.Key, Mapping>> byVendor = new LinkedHashMap<>();
        List<Skipped> skipped = new ArrayList<>();
        for (int i = 0; i < export.size(); i++) {
            JsonNode entry = export.get(i);
            String reason = reasonToSkip(entry, vendors);
            if (reason != null) {
                skipped.add(skipped(i, entry, reason));
                continue;
            }
            String vendor = vendors.get(entry.get("vendorId").asText());
            Mapping mapping = mapping(entry);
            VendorMappings.Key key = new VendorMappings.Key(mapping.type(), mapping.erpCode());
            // An export may hold one code twice (edited in the source store): the last one wins, as a replay of the
            // edits in order would; the earlier one is reported as skipped so every entry is counted exactly once.
            Integer earlier = indexes.computeIfAbsent(vendor, v -> new LinkedHashMap<>()).put(key, i);
            if (earlier != null) {
                skipped.add(skipped(earlier, export.get(earlier), "superseded by entry " + i
                        + " with the same vendorId, mappingType and erpCode (the last one wins)"));
            }
            byVendor.computeIfAbsent(vendor, v -> new LinkedHashMap<>()).put(key, mapping);
        }
        skipped.sort(Comparator.comparingInt(Skipped::index));
        return new Read(byVendor, skipped);
    }

    /** Null when the entry can be imported. */
    private static String reasonToSkip(JsonNode entry, Map<String, String> vendors) {
        if (!entry.isObject()) {
            return "not a JSON object";
        }
        for (String field : List.of("vendorId", "mappingType", "erpCode", "restoCode", "restoLabel")) {
            JsonNode value = entry.path(field);
            if (!value.isMissingNode() && !value.isNull() && !value.isTextual()) {
                return field + " must be a string";
            }
        }
        JsonNode active = entry.path("isActive");
        if (!active.isMissingNode() && !active.isNull() && !active.isBoolean()) {
            return "isActive must be true or false";
        }
        if (blank(entry, "erpCode")) {
            return "erpCode is empty";
        }
        if (blank(entry, "vendorId")) {
            return "vendorId is missing";
        }
        String type = entry.path("mappingType").textValue();
        if (type == null) {
            return "mappingType is missing";
        }
        if (!Mapping.TYPES.contains(type)) {
            return "mappingType '" + type + "' is not one of " + String.join(", ", Mapping.TYPES);
        }
        if (!vendors.containsKey(entry.get("vendorId").asText())) {
            return "no vendor descriptor declares vendorId '" + entry.get("vendorId").asText() + "'";
        }
        if (blank(entry, "restoCode")) {
            return "restoCode is missing";
        }
        return overLength(entry);
    }

    private static String overLength(JsonNode entry) {
        for (Map.Entry<String, Integer> limit : LIMITS) {
            String text = entry.path(limit.getKey()).textValue();
            if (text != null && text.codePointCount(0, text.length()) > limit.getValue()) {
                return limit.getKey() + " is longer than " + limit.getValue() + " characters";
            }
        }
        return null;
    }

    private static boolean blank(JsonNode entry, String field) {
        String text = entry.path(field).textValue();
        return text == null || text.isBlank();
    }

    private static Mapping mapping(JsonNode entry) {
        JsonNode active = entry.path("isActive");
        return new Mapping(entry.get("mappingType").asText(), entry.get("erpCode").asText(), entry.get("restoCode").asText(),
                entry.path("restoLabel").textValue(), !active.isBoolean() || active.booleanValue());
    }

    private static Skipped skipped(int index, JsonNode entry, String reason) {
        return new Skipped(index, scalar(entry, "vendorId"), scalar(entry, "mappingType"), scalar(entry, "erpCode"), reason);
    }

    private static String scalar(JsonNode entry, String field) {
        JsonNode value = entry.path(field);
        return value.isValueNode() && !value.isNull() ? value.asText() : null;
    }
}
