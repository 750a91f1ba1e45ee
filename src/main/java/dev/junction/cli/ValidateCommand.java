package dev.junction.cli;

import dev.junction.partner.ConnectorCheck;
import dev.junction.routetest.RouteFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Every check the hub makes at startup, without starting it, and every problem at once instead of the first. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks the connector files (schema, keys, events, event schemas, targets, agent, sync jobs) and "
                + "the route files (ids, components, languages and data formats the hub ships) as the hub does at startup, and the "
                + "route tests' fixtures (routes/tests/<route id>/<case>/); prints every problem as 'file: field: problem'.",
                "Placeholders like ${ACME_ERP_URL} are not resolved: validate needs none of them set."},
        footer = {"", "Exit codes: 0 valid, 1 problems found (listed on stdout), 2 a wrong command line."})
final class ValidateCommand implements Callable<Integer> {

    /** Checks beyond the connector loader's (which covers the route files, RouteCheck included): the route tests' fixtures. */
    static final List<Check> MORE_CHECKS = List.of((connectors, routes) -> RouteFixtures.problems(routes));

    @Mixin
    Folders folders = new Folders();

    private final JunctionCli.Context context;
    private final List<Check> checks;

    ValidateCommand(JunctionCli.Context context) {
        this(context, MORE_CHECKS);
    }

    ValidateCommand(JunctionCli.Context context, List<Check> checks) {
        this.context = context;
        this.checks = checks;
    }

    @Override
    public Integer call() {
        Path connectors = folders.connectors(context);
        Path routes = folders.routes(context);
        ConnectorCheck.Report report = ConnectorCheck.folders(context.workDir(), connectors, routes);
        List<String> problems = new ArrayList<>(report.problems());
        checks.forEach(check -> problems.addAll(check.problems(connectors, routes)));
        if (problems.isEmpty()) {
            context.out().println(report.connectors() + " connector" + (report.connectors() == 1 ? "" : "s") + ", "
                    + report.routes() + " route" + (report.routes() == 1 ? "" : "s") + " valid");
            return 0;
        }
        problems.forEach(context.out()::println);
        context.err().println(problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " in " + ConnectorCheck.display(connectors) + " and " + ConnectorCheck.display(routes));
        return JunctionCli.REFUSED;
    }
}
