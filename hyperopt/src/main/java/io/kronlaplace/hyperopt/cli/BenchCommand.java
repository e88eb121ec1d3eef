package io.kronlaplace.hyperopt.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kronlaplace bench}: runs the benchmark entry points of the modules (training step, K-FAC factors, Laplace
 * fit and predictive) one after another, shows their output and ends with one summary table.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the benchmark entry points of the other modules and print one summary table:",
                "  train-step  io.kronlaplace.nn.models.TrainStepBenchmark (module kfac)",
                "  kfac        io.kronlaplace.curvature.KfacBenchmark (module kfac)",
                "  laplace     io.kronlaplace.laplace.LaplaceBenchmark (module laplace)",
                "  marglik     io.kronlaplace.hyperopt.MarglikOverheadBenchmark (module hyperopt)",
                "Each benchmark's output (its measurements) is printed as it runs, above the table. Arguments after "
                        + "'--' are passed to the one benchmark chosen with --only (benchmarks take different "
                        + "options)."})
public final class BenchCommand implements Callable<Integer> {
    /** A benchmark entry point. */
    record Entry(String name, String module, String className) {
    }

    static final List<Entry> ENTRIES = List.of(
            new Entry("train-step", "kfac", "io.kronlaplace.nn.models.TrainStepBenchmark"),
            new Entry("kfac", "kfac", "io.kronlaplace.curvature.KfacBenchmark"),
            new Entry("laplace", "laplace", "io.kronlaplace.laplace.LaplaceBenchmark"),
            new Entry("marglik", "hyperopt", "io.kronlaplace.hyperopt.MarglikOverheadBenchmark"));

    @Spec
    CommandSpec spec;

    @Mixin
    CommonOptions common;

    @Option(names = "--only", paramLabel = "NAME", split = ",",
            description = "Run only these benchmarks (train-step, kfac, laplace, marglik).")
    List<String> only;

    @picocli.CommandLine.Parameters(paramLabel = "ARGS", arity = "0..*",
            description = "Arguments passed to the main method of the one benchmark chosen with --only.")
    List<String> passThrough = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Threads.apply(common);
        PrintWriter out = spec.commandLine().getOut();
        if (only != null) {
            for (String name : only) {
                if (ENTRIES.stream().noneMatch(e -> e.name().equals(name))) {
                    throw new IllegalArgumentException("unknown benchmark '" + name + "'; choose from train-step, "
                            + "kfac, laplace, marglik");
                }
            }
        }
        if (!passThrough.isEmpty() && (only == null || only.size() != 1)) {
            throw new IllegalArgumentException("arguments after '--' (" + String.join(" ", passThrough) + ") go to "
                    + "one benchmark: choose it with --only NAME");
        }
        List<String[]> rows = new ArrayList<>();
        boolean failed = false;
        for (Entry e : ENTRIES) {
            if (only != null && !only.contains(e.name())) {
                continue;
            }
            Method main;
            try {
                main = Class.forName(e.className()).getMethod("main", String[].class);
            } catch (ClassNotFoundException | NoSuchMethodException ex) {
                rows.add(new String[] {e.name(), e.module(), "-", "not in this build (" + e.className() + ")"});
                continue;
            }
            out.println("== " + e.name() + " (" + e.className() + ")");
            out.flush();
            PrintStream saved = System.out;
            long start = System.nanoTime();
            String status = "ok";
            try (PrintStream live = new PrintStream(new LineForwarder(out), true, StandardCharsets.UTF_8)) {
                System.setOut(live);
                main.invoke(null, (Object) passThrough.toArray(String[]::new));
            } catch (InvocationTargetException ex) {
                failed = true;
                status = "failed: " + Main.describe(ex.getCause());
            } finally {
                System.setOut(saved);
            }
            rows.add(new String[] {e.name(), e.module(), String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start)
                    / 1e9), status});
        }
        out.println();
        out.println(table(rows));
        out.flush();
        return failed ? ExitCodes.FAILURE : ExitCodes.OK;
    }

    /**
     * Forwards a benchmark's standard output to the command's output line by line as it is written, so a long
     * benchmark shows its measurements while it runs; an unfinished last line is forwarded on close.
     */
    static final class LineForwarder extends OutputStream {
        private final PrintWriter out;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        /** @param out where the lines go */
        LineForwarder(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                forward();
            }
        }

        @Override
        public void close() {
            if (line.size() > 0) {
                forward();
            }
        }

        private void forward() {
            out.print(line.toString(StandardCharsets.UTF_8));
            out.flush();
            line.reset();
        }
    }

    /** A Markdown table of the benchmark runs. */
    static String table(List<String[]> rows) {
        StringBuilder b = new StringBuilder("| benchmark | module | wall time (s) | status |\n|---|---|---:|---|\n");
        for (String[] r : rows) {
            b.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        return b.toString();
    }
}
