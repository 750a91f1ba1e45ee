package dev.junction.partner;

/**
 * Published (synchronously, on the reloading thread) right after a new configuration was swapped in. Parts that built
 * something per partner at startup (keys, buckets, breakers, lanes, consumers) rebuild what changed, comparing the part
 * they own (a rate limit, a breaker spec, a sync job: records that compare by value); a part that looks partners up on
 * each call needs nothing.
 */
public record PartnersReloaded(ConfigSnapshot previous, ConfigSnapshot current) {}
