package dev.junction.sync;

import dev.junction.JunctionProperties;
import dev.junction.partner.ConfigCheck;
import dev.junction.partner.InvalidConnectorException;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.SyncJob;
import dev.junction.sync.sql.SqlDatasources;
import java.util.Collection;
import org.springframework.stereotype.Component;

/**
 * What the connector files cannot check alone, once the settings are bound: a SQL job's datasource is declared
 * ({@code junction.datasources.<name>.url}). A job naming an undeclared one stops startup, naming file and field, like
 * every other descriptor error.
 */
@Component
class SyncJobsCheck implements ConfigCheck {

    private final SqlDatasources datasources;
    private final JunctionProperties settings;

    SyncJobsCheck(PartnerRegistry partners, SqlDatasources datasources, JunctionProperties settings) {
        this.datasources = datasources;
        this.settings = settings;
        check(partners.all());
    }

    /** The same check on a reload's candidate: a job naming an undeclared datasource refuses the reload. */
    @Override
    public void check(Collection<Partner> partners) {
        for (Partner p : partners) {
            for (SyncJob job : p.syncJobs().values()) {
                if (job.source() instanceof SyncJob.SqlSource sql && !datasources.declared(sql.datasource())) {
                    throw InvalidConnectorException.at(settings.connectorsDir().resolve(p.id() + ".yaml"),
                            "/syncJobs/" + job.id() + "/source/sql/datasource", "'" + sql.datasource()
                                    + "' is not a declared datasource: set junction.datasources." + sql.datasource()
                                    + ".url (env JUNCTION_DATASOURCES_" + sql.datasource().toUpperCase(java.util.Locale.ROOT)
                                    + "_URL), and its username and password, in the hub's settings");
                }
            }
        }
    }
}
