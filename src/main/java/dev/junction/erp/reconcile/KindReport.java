package dev.junction.erp.reconcile;

/**
 * What one kind of one run did: ranges compared, requests to the agent, records fetched, records found different
 * (drifted: the agent's version differed, the hub had it and the agent did not, or the agent had it and the hub did
 * not), of those repaired (created or updated from the agent's version) and deleted, and why it stopped early.
 */
final class KindReport {
    int ranges;
    int requests;
    int fetched;
    int drifted;
    int repaired;
    int deleted;
    String error;
}
