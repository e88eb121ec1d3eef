package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.curvature.KfacFlavour;
import picocli.CommandLine.Option;

/** The {@code --flavour} option of the commands that fit a K-FAC curvature of one flavour. */
public final class FlavourOptions {
    @Option(names = "--flavour", paramLabel = "F", defaultValue = "REDUCE",
            description = "K-FAC flavour: REDUCE or EXPAND (default: ${DEFAULT-VALUE}).")
    KfacFlavour flavour;

    /**
     * The K-FAC flavour to fit.
     *
     * @return the flavour given with {@code --flavour} (default REDUCE)
     */
    public KfacFlavour flavour() {
        return flavour;
    }
}
