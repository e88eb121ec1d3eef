package io.kronlaplace.hyperopt.fuzz;

import io.kronlaplace.io.FileMutator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Mutation fuzzing of every file reader: writes a valid file per format, mutates it with {@link FileMutator} (for
 * checksummed formats, every other mutation with the checksum recomputed so the parser behind it is exercised),
 * reads it as a caller would and classifies the outcome ({@link FuzzOutcome}). Run from the command line as
 * {@code kronlaplace fuzz --mutations N --seed S}, or as this class's {@link #main}; see docs/file-formats.md,
 * section Fuzzing.
 */
public final class FuzzFiles {
    private FuzzFiles() {
    }

    /**
     * Counts of outcomes of one format, and the first message of each bug outcome.
     *
     * @param format   the format's name
     * @param counts   how many mutations had each outcome
     * @param examples one description per bug outcome seen (mutation kind and exception)
     */
    public record Result(String format, Map<FuzzOutcome, Integer> counts, List<String> examples) {
        /**
         * The mutations with a bug outcome ({@link FuzzOutcome#isBug()}).
         *
         * @return their count, 0 for a reader without a found bug
         */
        public int bugs() {
            return counts.entrySet().stream().filter(e -> e.getKey().isBug()).mapToInt(Map.Entry::getValue).sum();
        }
    }

    /**
     * The formats the fuzzer knows.
     *
     * @return their names, as {@link #run} and {@code --only} take them, unmodifiable
     */
    public static List<String> formats() {
        return FuzzTargets.FORMATS;
    }

    /**
     * Runs {@code mutations} mutations of one format in a fresh directory under {@code workDir}.
     *
     * @param format    one of {@link #formats()}
     * @param mutations how many mutated files to read, &gt;= 0
     * @param seed      seed of the mutations (combined with the format's name, so formats differ)
     * @param workDir   directory under which the subdirectory {@code format} holds the file
     * @return the counts of outcomes and the descriptions of bug outcomes
     * @throws IllegalArgumentException for an unknown format
     * @throws IllegalStateException    when the valid file does not read back
     * @throws IOException              when the valid file cannot be written
     */
    public static Result run(String format, int mutations, long seed, Path workDir) throws IOException {
        Path dir = workDir.resolve(format);
        FuzzTarget target = FuzzTargets.create(format, dir);
        byte[] original = Files.readAllBytes(target.file());
        Object expected = readOrFail(target);
        FileMutator mutator = new FileMutator(seed ^ format.hashCode());
        Map<FuzzOutcome, Integer> counts = new EnumMap<>(FuzzOutcome.class);
        List<String> examples = new ArrayList<>();
        try {
            for (int i = 0; i < mutations; i++) {
                boolean recompute = target.checksum() != null && i % 2 == 1;
                FileMutator.Mutation m = mutator.mutate(original, recompute ? target.checksum() : b -> b);
                Files.write(target.file(), m.bytes());
                FuzzOutcome outcome = outcome(target, expected, recompute, m, examples);
                counts.merge(outcome, 1, Integer::sum);
            }
        } finally {
            Files.write(target.file(), original);
        }
        return new Result(format, counts, examples);
    }

    private static Object readOrFail(FuzzTarget target) {
        try {
            return target.read().read();
        } catch (Exception e) {
            throw new IllegalStateException("the valid " + target.format() + " file does not read: " + e, e);
        }
    }

    private static FuzzOutcome outcome(FuzzTarget target, Object expected, boolean recomputed,
                                       FileMutator.Mutation m, List<String> examples) {
        Object before = target.state() == null ? null : target.state().take();
        Object value;
        try {
            value = target.read().read();
        } catch (Throwable e) {
            if (!target.documented().test(e)) {
                examples.add(m.kind() + ": " + e);
                return FuzzOutcome.UNDOCUMENTED_EXCEPTION;
            }
            if (before != null && !before.equals(target.state().take())) {
                examples.add(m.kind() + ": state changed by a failed read: " + e.getMessage());
                return FuzzOutcome.STATE_CHANGED;
            }
            return FuzzOutcome.REJECTED;
        }
        if (value.equals(expected)) {
            return FuzzOutcome.READ_EQUAL;
        }
        if (target.checksum() != null && !recomputed) {
            examples.add(m.kind() + ": changed content accepted despite the checksum");
            return FuzzOutcome.SILENT_ACCEPTANCE;
        }
        return FuzzOutcome.READ_CHANGED;
    }

    /**
     * {@code FuzzFiles [--mutations N] [--seed S] [--only fmt,fmt]}: prints one line of outcome counts per format and
     * exits with status 1 when any bug outcome was seen.
     *
     * @param args {@code --mutations N} (default 200), {@code --seed S} (default 1) and {@code --only fmt,fmt}
     *             (default every format)
     * @throws IllegalArgumentException for an unknown argument or format
     * @throws IOException              when a valid file or the temporary directory cannot be written
     */
    public static void main(String[] args) throws IOException {
        int mutations = 200;
        long seed = 1;
        List<String> only = formats();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--mutations" -> mutations = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--only" -> only = List.of(args[++i].split(","));
                default -> throw new IllegalArgumentException("unknown argument '" + args[i]
                        + "'; use --mutations N, --seed S, --only fmt,fmt");
            }
        }
        System.exit(runAll(only, mutations, seed, System.out) ? 0 : 1);
    }

    /**
     * Runs the formats in a temporary directory (deleted afterwards) and prints a table with one row of outcome
     * counts per format, followed by up to five bug descriptions.
     *
     * @param formats   names from {@link #formats()}, in table order
     * @param mutations mutated files read per format, &gt;= 0
     * @param seed      seed of the mutations
     * @param out       where the table goes
     * @return true when no bug outcome was seen
     * @throws IllegalArgumentException for an unknown format
     * @throws IOException              when a valid file or the temporary directory cannot be written or deleted
     */
    public static boolean runAll(List<String> formats, int mutations, long seed, PrintStream out) throws IOException {
        Path work = Files.createTempDirectory("kronlaplace-fuzz");
        boolean clean = true;
        try {
            out.printf(Locale.ROOT, "%-11s %9s %10s %12s %9s %17s %22s %13s %8s%n", "format", "mutations",
                    "READ_EQUAL", "READ_CHANGED", "REJECTED", "SILENT_ACCEPTANCE", "UNDOCUMENTED_EXCEPTION",
                    "STATE_CHANGED", "seconds");
            for (String format : formats) {
                long start = System.nanoTime();
                Result r = run(format, mutations, seed, work);
                Map<FuzzOutcome, Integer> c = r.counts();
                out.printf(Locale.ROOT, "%-11s %9d %10d %12d %9d %17d %22d %13d %8.1f%n", format, mutations,
                        c.getOrDefault(FuzzOutcome.READ_EQUAL, 0), c.getOrDefault(FuzzOutcome.READ_CHANGED, 0),
                        c.getOrDefault(FuzzOutcome.REJECTED, 0), c.getOrDefault(FuzzOutcome.SILENT_ACCEPTANCE, 0),
                        c.getOrDefault(FuzzOutcome.UNDOCUMENTED_EXCEPTION, 0),
                        c.getOrDefault(FuzzOutcome.STATE_CHANGED, 0), (System.nanoTime() - start) / 1e9);
                for (String example : r.examples().subList(0, Math.min(5, r.examples().size()))) {
                    out.println("    " + example);
                }
                clean &= r.bugs() == 0;
                out.flush();
            }
        } finally {
            try (Stream<Path> all = Files.walk(work)) {
                for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return clean;
    }
}
