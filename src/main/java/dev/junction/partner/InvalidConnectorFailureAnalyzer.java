package dev.junction.partner;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints an invalid descriptor as its one line instead of a bean-creation stack trace. */
class InvalidConnectorFailureAnalyzer extends AbstractFailureAnalyzer<InvalidConnectorException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidConnectorException cause) {
        return new FailureAnalysis(cause.getMessage(),
                "Fix the file named above (see connectors/connector.schema.json and partner-onboarding/README.md), then start again.",
                cause);
    }
}
