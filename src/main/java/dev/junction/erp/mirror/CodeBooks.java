package dev.junction.erp.mirror;

/** The vendor's code book for one batch: one freshness check, then cached mappings (see erp.mapping). */
@FunctionalInterface
interface CodeBooks {
    CodeBook of(String vendor);
}
