package dev.junction.sync.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.partner.SyncJob;
import org.junit.jupiter.api.Test;

/** What startup validation asks of a job's query (SqlPageSource.problemWith), before any database is reached. */
class SqlQueryRulesTest {

    static SyncJob.SqlSource query(String sql) {
        return new SyncJob.SqlSource("legacy", sql, 500, "updated_at", "id");
    }

    @Test
    void theContractsExampleQueryPasses() {
        assertThat(SqlPageSource.problemWith(query(SqlPageSourceContract.CONTRACT_QUERY))).isEmpty();
        assertThat(SqlPageSource.problemWith(query(SqlPageSourceContract.INCLUSIVE_QUERY))).isEmpty();
    }

    @Test
    void aQueryWithoutTheIdTiebreakerIsNamed() {
        assertThat(SqlPageSource.problemWith(query("SELECT * FROM orders WHERE updated_at > :#cursor ORDER BY updated_at")))
                .hasValueSatisfying(problem -> assertThat(problem).contains("does not use :#id").doesNotContain(":#cursor and"));
    }

    @Test
    void aQueryWithNeitherParameterNamesBoth() {
        assertThat(SqlPageSource.problemWith(query("SELECT * FROM orders")))
                .hasValueSatisfying(problem -> assertThat(problem).contains("does not use :#cursor and :#id"));
    }

    @Test
    void aLongerNameIsNotTheParameter() {
        assertThat(SqlPageSource.problemWith(query("SELECT * FROM orders WHERE updated_at > :#cursorAt AND id > :#identity")))
                .hasValueSatisfying(problem -> assertThat(problem).contains(":#cursor and :#id"));
    }

    @Test
    void anEmptyQueryIsNamed() {
        assertThat(SqlPageSource.problemWith(query("  "))).contains("the query is empty");
        assertThat(SqlPageSource.problemWith(query(null))).contains("the query is empty");
    }
}
