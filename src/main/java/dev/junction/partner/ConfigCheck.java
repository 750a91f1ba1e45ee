package dev.junction.partner;

import java.util.Collection;

/**
 * A check of a whole candidate configuration that the connector files cannot make alone (an ops key that collides
 * with a partner key, a datasource the settings do not declare). Runs before the candidate is swapped in, at startup and
 * at every reload; a problem is an {@link InvalidConnectorException} naming file, field and problem.
 */
public interface ConfigCheck {

    void check(Collection<Partner> candidate);
}
