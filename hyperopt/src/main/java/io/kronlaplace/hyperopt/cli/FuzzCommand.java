package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.hyperopt.fuzz.FuzzFiles;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code kronlaplace fuzz}: mutation fuzzing of every file reader (see {@link FuzzFiles}); exits with
 * {@link ExitCodes#FAILURE} when any reader showed a bug outcome.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Mutate a valid file of every format (bit flips, truncation, appended bytes, extreme length "
                + "and shape fields; for checksummed formats every other mutation with the checksum recomputed), "
                + "read it back and print per-format outcome counts.",
                "Bugs: SILENT_ACCEPTANCE, UNDOCUMENTED_EXCEPTION, STATE_CHANGED; any of them makes the exit code 1."})
public final class FuzzCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--mutations", paramLabel = "N", defaultValue = "200",
            description = "Mutations per format (default: ${DEFAULT-VALUE}).")
    int mutations;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--only", paramLabel = "FORMAT", split = ",",
            description = "Only these formats (npy, weights, posterior, checkpoint, model, kfac-index, csv, idx, "
                    + "cifar10).")
    List<String> only;

    @Override
    public Integer call() throws Exception {
        if (mutations < 1) {
            throw new IllegalArgumentException("--mutations must be positive, got " + mutations);
        }
        List<String> formats = only == null ? FuzzFiles.formats() : only;
        for (String f : formats) {
            if (!FuzzFiles.formats().contains(f)) {
                throw new IllegalArgumentException("unknown format '" + f + "'; choose from " + FuzzFiles.formats());
            }
        }
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        return FuzzFiles.runAll(formats, mutations, seed, out) ? ExitCodes.OK : ExitCodes.FAILURE;
    }
}
