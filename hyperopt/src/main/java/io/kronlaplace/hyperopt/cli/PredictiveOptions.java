package io.kronlaplace.hyperopt.cli;

import picocli.CommandLine.Option;

/** The options of the Laplace predictive shared by the commands that evaluate a posterior. */
public final class PredictiveOptions {
    @Option(names = "--mc-samples", paramLabel = "N", defaultValue = "100",
            description = "Logit samples of the Laplace MC predictive (default: ${DEFAULT-VALUE}).")
    int mcSamples;

    /**
     * The sample count of the Monte-Carlo predictive.
     *
     * @return the logit samples per example given with {@code --mc-samples} (default 100), at least 1
     * @throws IllegalArgumentException when {@code --mc-samples} is below 1
     */
    public int mcSamples() {
        if (mcSamples < 1) {
            throw new IllegalArgumentException("--mc-samples must be >= 1, got " + mcSamples);
        }
        return mcSamples;
    }
}
