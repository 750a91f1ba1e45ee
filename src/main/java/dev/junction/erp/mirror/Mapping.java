package dev.junction.erp.mirror;

import java.util.List;
import java.util.Optional;

/**
 * Step 4 for items: {@code unit} and {@code vat} must map to an active code, or the record is rejected naming the
 * field; {@code family} and {@code subfamily} map when a mapping exists, else the item is stored with a warning.
 */
final class Mapping {

    private Mapping() {}

    static void check(Prepared item, CodeBook codes, List<FieldProblem> errors, List<FieldProblem> warnings) {
        require("unit", (String) item.column("unit"), codes, errors);
        require("vat", (String) item.column("vat"), codes, errors);
        prefer("family", (String) item.column("family"), codes, warnings);
        prefer("subfamily", (String) item.column("subfamily"), codes, warnings);
    }

    private static void require(String type, String erpCode, CodeBook codes, List<FieldProblem> errors) {
        Optional<CodeBook.Code> code = codes.find(type, erpCode);
        if (code.isEmpty()) {
            errors.add(new FieldProblem(type, "no mapping for " + type + " " + erpCode));
        } else if (!code.get().active()) {
            errors.add(new FieldProblem(type, "the mapping for " + type + " " + erpCode + " is inactive"));
        }
    }

    private static void prefer(String type, String erpCode, CodeBook codes, List<FieldProblem> warnings) {
        if (erpCode == null) {
            return;
        }
        Optional<CodeBook.Code> code = codes.find(type, erpCode);
        if (code.isEmpty()) {
            warnings.add(new FieldProblem(type, "no mapping for " + type + " " + erpCode + "; stored without a " + type + " code"));
        } else if (!code.get().active()) {
            warnings.add(new FieldProblem(type, "the mapping for " + type + " " + erpCode + " is inactive; stored without a " + type + " code"));
        }
    }
}
