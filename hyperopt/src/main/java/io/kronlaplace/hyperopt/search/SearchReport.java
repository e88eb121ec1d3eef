package io.kronlaplace.hyperopt.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.io.AtomicFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The files of a grid search, {@code search.md} (both rankings in one table) and {@code search.json} (both rankings
 * as lists), written the same way whether the grid ran in one JVM or on a cluster. For regression the validation NLL
 * is the Gaussian negative log-likelihood per held-out row (minus the held-out log-likelihood, in the targets' units)
 * and the accuracy is left out (null in the JSON, "-" in the table).
 */
public final class SearchReport {
    private SearchReport() {
    }

    /**
     * Writes {@code search.md} and {@code search.json} into {@code directory} (atomically) and prints the table and
     * the paths to {@code stdout}.
     *
     * @param results   one result per grid point, in any order
     * @param directory where the two files go, created when missing; existing files of those names are replaced
     * @param stdout    receives the table and the paths of the files
     * @throws IOException when the directory or a file cannot be written
     */
    public static void write(List<SearchResult> results, Path directory, PrintWriter stdout) throws IOException {
        String table = markdown(results);
        Files.createDirectories(directory);
        Path md = directory.resolve("search.md");
        Path json = directory.resolve("search.json");
        AtomicFiles.writeString(md, table);
        AtomicFiles.writeString(json, json(results));
        stdout.println(table);
        stdout.println("written: " + md.toAbsolutePath() + ", " + json.toAbsolutePath());
        stdout.flush();
    }

    /**
     * The results table with both rankings, in marginal-likelihood order.
     *
     * @param results one result per grid point, in any order
     * @return a Markdown table, one row per result with its rank by log marginal likelihood and by validation NLL
     */
    public static String markdown(List<SearchResult> results) {
        List<SearchResult> byMl = GridSearch.byMarglik(results);
        List<SearchResult> byNll = GridSearch.byValidationNll(results);
        StringBuilder b = new StringBuilder("| rank (marglik) | rank (val. NLL) | widen | prior precision | F | params "
                + "| log p(D|M) | val. NLL | val. acc. | seconds |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (SearchResult r : byMl) {
            b.append(String.format(Locale.ROOT, "| %d | %d | %d | %.3g | %d | %,d | %.2f | %.4f | %s | %.1f |%n",
                    byMl.indexOf(r) + 1, byNll.indexOf(r) + 1, r.config().widen(), r.config().priorPrecision(),
                    r.config().marglikFrequency(), r.parameters(), r.logMarglik(), r.validationNll(),
                    Double.isNaN(r.validationAccuracy()) ? "-"
                            : String.format(Locale.ROOT, "%.3f", r.validationAccuracy()), r.seconds()));
        }
        return b.toString();
    }

    /**
     * Both rankings as JSON lists of grid points and their scores.
     *
     * @param results one result per grid point, in any order
     * @return indented JSON with the lists {@code byMarginalLikelihood} and {@code byValidationNll}; a missing log
     *         marginal likelihood or accuracy is null
     * @throws IOException when the JSON cannot be written
     */
    public static String json(List<SearchResult> results) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ArrayNode ml = root.putArray("byMarginalLikelihood");
        GridSearch.byMarglik(results).forEach(r -> ml.add(node(mapper, r)));
        ArrayNode nll = root.putArray("byValidationNll");
        GridSearch.byValidationNll(results).forEach(r -> nll.add(node(mapper, r)));
        return mapper.writeValueAsString(root);
    }

    private static ObjectNode node(ObjectMapper mapper, SearchResult r) {
        ObjectNode n = mapper.createObjectNode();
        n.put("widen", r.config().widen());
        n.put("priorPrecision", r.config().priorPrecision());
        n.put("marglikFrequency", r.config().marglikFrequency());
        n.put("parameters", r.parameters());
        putOrNull(n, "logMarginalLikelihood", r.logMarglik());
        n.put("validationNll", r.validationNll());
        putOrNull(n, "validationAccuracy", r.validationAccuracy());
        n.put("seconds", r.seconds());
        return n;
    }

    /** Puts {@code value}, or null for NaN (never computed, or not defined such as regression accuracy). */
    private static void putOrNull(ObjectNode n, String name, double value) {
        if (Double.isNaN(value)) {
            n.putNull(name);
        } else {
            n.put(name, value);
        }
    }
}
