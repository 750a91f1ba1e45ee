package dev.junction.sync;

import dev.junction.JunctionProperties;
import dev.junction.partner.InvalidConnectorException;
import dev.junction.partner.Partner;
import dev.junction.partner.PartnerRegistry;
import dev.junction.partner.SyncJob;
import dev.junction.sync.sql.SqlDatasources;
import org.springframework.stereotype.Component;

/**
 * What the connector files cannot check alone, once the settings are bound: a SQL job's datasource is declared
 * ({@code junction.datasources.<name>.url}). A job naming an undeclared one stops startup, naming file and field, like
 * every other descriptor error.
 */
@Component
class SyncJobsCheck {

    SyncJobsCheck(PartnerRegistry partners, SqlDatasources datasources, JunctionProperties settings) {
        for (Partner p : partners.all()) {
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
