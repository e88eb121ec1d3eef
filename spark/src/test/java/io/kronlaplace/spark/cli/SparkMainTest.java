package io.kronlaplace.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.hyperopt.cli.ExitCodes;
import io.kronlaplace.hyperopt.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kronlaplace-spark search --spark-master local[2]} writes the search files of {@code kronlaplace search} with
 * the same arguments (all but the wall-clock seconds), reports bad arguments with the same exit code, and refuses MLP
 * searches (exit 2).
 */
class SparkMainTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(Function<PrintWriter[], Integer> tool) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = tool.apply(new PrintWriter[] {new PrintWriter(out), new PrintWriter(err)});
        return new Run(code, out.toString(), err.toString());
    }

    private static String withoutSeconds(String text) {
        return text.replaceAll("\"seconds\" : [0-9.Ee+-]+", "\"seconds\" : 0");
    }

    private static List<String> searchArgs(Path out) {
        return List.of("search", "--train-size", "20", "--test-size", "4", "--widths", "1",
                "--prior-precisions", "0.1,10", "--frequencies", "1", "--epochs", "1", "--batch-size", "8",
                "-K", "2", "--validation-fraction", "0.25", "--quiet", "--out", out.toString());
    }

    @Test
    void searchOnLocalSparkWritesTheSequentialFiles() throws Exception {
        Path sequentialOut = dir.resolve("sequential");
        Path sparkOut = dir.resolve("spark");
        String[] sequentialArgs = searchArgs(sequentialOut).toArray(String[]::new);
        Run sequential = run(w -> Main.run(w[0], w[1], sequentialArgs));
        assertEquals(ExitCodes.OK, sequential.code(), sequential.err());
        List<String> args = new java.util.ArrayList<>(searchArgs(sparkOut));
        args.addAll(List.of("--spark-master", "local[2]"));
        Run spark = run(w -> SparkMain.run(w[0], w[1], args.toArray(String[]::new)));
        assertEquals(ExitCodes.OK, spark.code(), spark.err());
        assertEquals(withoutSeconds(Files.readString(sequentialOut.resolve("search.json"))),
                withoutSeconds(Files.readString(sparkOut.resolve("search.json"))));
    }

    @Test
    void mlpSearchesAreRefusedWithAMessageNamingTheSingleMachineSearch() throws Exception {
        Path table = Files.writeString(dir.resolve("table.csv"), "x,y\n1,2\n2,4.5\n3,5.5\n4,8.1\n5,9.9\n");
        Run regression = run(w -> SparkMain.run(w[0], w[1], "search", "--quiet", "--model-kind", "MLP",
                "--train-file", table.toString(), "--spark-master", "local[2]", "--out",
                dir.resolve("regression").toString()));
        assertEquals(ExitCodes.USAGE, regression.code(), regression.err());
        assertTrue(regression.err().contains("one machine"), regression.err());
        Run images = run(w -> SparkMain.run(w[0], w[1], "search", "--quiet", "--model-kind", "MLP",
                "--train-size", "20", "--test-size", "4", "--spark-master", "local[2]", "--out",
                dir.resolve("images").toString()));
        assertEquals(ExitCodes.USAGE, images.code(), images.err());
        assertTrue(images.err().contains("one machine"), images.err());
    }

    @Test
    void helpShowsTheMasterAndBadArgumentsAreUsageErrors() {
        Run help = run(w -> SparkMain.run(w[0], w[1], "search", "--help"));
        assertEquals(ExitCodes.OK, help.code());
        assertTrue(help.out().contains("--spark-master") && help.out().contains("local[*]"), help.out());
        Run bad = run(w -> SparkMain.run(w[0], w[1], "search", "--widths", "x"));
        assertEquals(ExitCodes.USAGE, bad.code(), bad.err());
        Run none = run(w -> SparkMain.run(w[0], w[1]));
        assertEquals(ExitCodes.USAGE, none.code(), none.err());
    }
}
