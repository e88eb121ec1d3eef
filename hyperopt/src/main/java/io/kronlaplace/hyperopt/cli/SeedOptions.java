package io.kronlaplace.hyperopt.cli;

import picocli.CommandLine.Option;

/** The {@code --seed} option of the commands that draw random numbers. */
public final class SeedOptions {
    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "Seed of the command's random numbers; the same seed and options give the same results "
                    + "(default: ${DEFAULT-VALUE}).")
    long seed;

    /**
     * The seed of the command's random numbers.
     *
     * @return the seed given with {@code --seed} (default 0)
     */
    public long seed() {
        return seed;
    }
}
