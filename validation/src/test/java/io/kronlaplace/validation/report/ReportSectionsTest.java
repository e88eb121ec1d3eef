package io.kronlaplace.validation.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.metrics.OodResult;
import io.kronlaplace.validation.metrics.OodScore;
import io.kronlaplace.validation.metrics.ReliabilityBin;
import io.kronlaplace.validation.metrics.ReliabilityDiagram;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's sections from hand-made results: one table per evaluation set with the best values marked, OOD tables
 * for both scores, reliability bin counts, the run's settings, per-group prior precisions and per-epoch test metrics;
 * and charts of degenerate (one-point, empty) series.
 */
class ReportSectionsTest {
    /** Confidences 0.7, 0.5, 0.5, 0.8; labels make rows 0 and 2 correct. */
    private static final double[][] SOFT = {{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.25, 0.25, 0.5}, {0.1, 0.1, 0.8}};
    /** All confidences 0.9, all correct. */
    private static final double[][] SHARP = {{0.9, 0.05, 0.05}, {0.05, 0.05, 0.9}, {0.05, 0.05, 0.9},
        {0.9, 0.05, 0.05}};
    private static final int[] Y = {0, 2, 2, 0};
    private static final int BINS = 5;

    private static EvaluationReport report() {
        List<EpochRecord> epochs = List.of(
                new EpochRecord(1, 2.0, Double.NaN, Map.of(), 0.40, 1.50),
                new EpochRecord(2, 1.5, -90.0, Map.of(), 0.65, 1.10),
                new EpochRecord(3, 1.2, -80.0, Map.of(), 0.60, 1.20));
        return EvaluationReport.builder("sections").bins(BINS)
                .addClassification("MAP", EvaluationSet.clean("test"), SHARP, Y)
                .addClassification("Laplace", EvaluationSet.clean("test"), SOFT, Y)
                .addClassification("MAP", new EvaluationSet("rot 30", ShiftKind.ROTATION, 30), SOFT, Y)
                .addClassification("Laplace", new EvaluationSet("rot 30", ShiftKind.ROTATION, 30), SOFT, Y)
                .addOod("MAP", "test", "noise", new OodResult(OodScore.MAX_PROBABILITY, 0.9, 0.3, 4, 4))
                .addOod("MAP", "test", "noise", new OodResult(OodScore.NEGATIVE_ENTROPY, 0.8, 0.5, 4, 4))
                .addOod("Laplace", "test", "noise", new OodResult(OodScore.MAX_PROBABILITY, 0.7, 0.2, 4, 4))
                .addOod("Laplace", "test", "noise", new OodResult(OodScore.NEGATIVE_ENTROPY, 0.85, 0.6, 4, 4))
                .runDetail("Command", "kronlaplace train --epochs 3 --out 'my runs'")
                .runDetail("Seed", "42")
                .priorPrecision("conv1.weight", 2.5)
                .priorPrecision("fc.bias", 0.125)
                .trainingCurves(new TrainingCurves(epochs))
                .build();
    }

    @Test
    void oneTablePerSetMarksTheBestValueOfEachColumn(@TempDir Path dir) throws IOException {
        WrittenReport written = ReportWriter.write(report(), dir);
        String md = Files.readString(written.markdown());
        // MAP on SHARP: accuracy 1, NLL -ln 0.9, Brier 0.1^2 + 2 * 0.05^2, ECE = MCE = 1 - 0.9, all better than SOFT's
        String nll = String.format(Locale.ROOT, "%.4f", -Math.log(0.9));
        assertTrue(md.contains("| Seed | 42 |\n"), md);
        assertTrue(md.contains("### test (clean)\n\n| Method | N | Accuracy | NLL | Brier | ECE | MCE | Mean confidence "
                + "| Mean entropy |\n"), md);
        assertTrue(md.contains("| MAP | 4 | **1.0000** | **" + nll + "** | **0.0150** | **0.1000** | **0.1000** | "
                + "0.9000 |"), md);
        assertTrue(md.contains("| Laplace | 4 | 0.5000 | "), md);
        // identical predictions on "rot 30": no column has a best value
        String rotated = md.substring(md.indexOf("### rot 30"));
        rotated = rotated.substring(0, rotated.indexOf("\n\n", rotated.indexOf("| Method")));
        assertTrue(rotated.contains("| MAP | 4 | 0.5000 |") && rotated.contains("| Laplace | 4 | 0.5000 |"), rotated);
        assertFalse(rotated.contains("**"), rotated);

        String html = Files.readString(written.html());
        String clean = html.substring(html.indexOf("<h3>test (clean)</h3>"));
        clean = clean.substring(0, clean.indexOf("</table>"));
        assertTrue(clean.contains("<tr><td>MAP</td><td class=\"num\">4</td><td class=\"num best\">1.0000</td>"), clean);
        assertTrue(clean.contains("<tr><td>Laplace</td><td class=\"num\">4</td><td class=\"num\">0.5000</td>"), clean);
    }

    @Test
    void oodTableHasBothScoresWithTheBestMarked(@TempDir Path dir) throws IOException {
        String md = Files.readString(ReportWriter.write(report(), dir).markdown());
        assertTrue(md.contains("### test vs noise (out-of-distribution)\n\n| Method | AUROC (max probability) | "
                + "FPR@95%TPR (max probability) | AUROC (entropy) | FPR@95%TPR (entropy) |\n"), md);
        assertTrue(md.contains("| MAP | **0.9000** | 0.3000 | 0.8000 | **0.5000** |"), md);
        assertTrue(md.contains("| Laplace | 0.7000 | **0.2000** | **0.8500** | 0.6000 |"), md);
    }

    @Test
    void reliabilityBinCountsMatchTheConfidences(@TempDir Path dir) throws IOException {
        String md = Files.readString(ReportWriter.write(report(), dir).markdown());
        int[] sharp = counts(SHARP);
        int[] soft = counts(SOFT);
        assertEquals(List.of(0, 0, 0, 0, 4), List.of(sharp[0], sharp[1], sharp[2], sharp[3], sharp[4]));
        String[] edges = {"[0.000, 0.200]", "(0.200, 0.400]", "(0.400, 0.600]", "(0.600, 0.800]", "(0.800, 1.000]"};
        for (int b = 0; b < BINS; b++) {
            if (sharp[b] == 0 && soft[b] == 0) {
                assertFalse(md.contains("| " + edges[b] + " |"), "bin empty for every method is shown: " + edges[b]);
                continue;
            }
            String row = md.substring(md.indexOf("| " + edges[b] + " |"));
            row = row.substring(0, row.indexOf('\n'));
            String[] cells = row.split("\\|");
            assertEquals(Integer.toString(sharp[b]), cells[2].strip(), row);
            assertEquals(Integer.toString(soft[b]), cells[4].strip(), row);
        }
        assertTrue(md.contains("| Confidence bin | N (MAP) | Accuracy (MAP) | N (Laplace) | Accuracy (Laplace) |"),
                md);
    }

    /** Examples per equal-width bin of the largest probability, (lower, upper] with 0 in the first bin. */
    private static int[] counts(double[][] probabilities) {
        int[] counts = new int[BINS];
        for (double[] row : probabilities) {
            double max = 0;
            for (double p : row) {
                max = Math.max(max, p);
            }
            counts[Math.max(0, (int) Math.ceil(max * BINS) - 1)]++;
        }
        return counts;
    }

    @Test
    void runSettingsPriorsAndPerEpochTestMetricsAreShown(@TempDir Path dir) throws IOException {
        WrittenReport written = ReportWriter.write(report(), dir);
        String md = Files.readString(written.markdown());
        assertTrue(md.contains("## Run\n\n### Settings\n"), md);
        assertTrue(md.contains("| Command | kronlaplace train --epochs 3 --out 'my runs' |"), md);
        assertTrue(md.contains("| Seed | 42 |"), md);
        assertTrue(md.contains("| conv1.weight | 2.5000 |") && md.contains("| fc.bias | 0.1250 |"), md);
        assertTrue(md.contains("| Epoch | Train loss | Test accuracy | Test NLL | Log marginal likelihood |"), md);
        assertTrue(md.contains("| 1 | 2.0000 | 0.4000 | 1.5000 | n/a |"), md);
        assertTrue(md.contains("| 2 | 1.5000 | **0.6500** | **1.1000** | -90.0000 |"), md);
        assertTrue(md.contains("| 3 | 1.2000 | 0.6000 | 1.2000 | **-80.0000** |"), md);

        JsonNode json = new ObjectMapper().readTree(written.json().toFile());
        assertEquals("42", json.get("run").get("Seed").asText());
        assertEquals(0.125, json.get("priorPrecisions").get("fc.bias").asDouble(), 0);
        assertEquals(0.65, json.get("training").get("testAccuracy").get(1).asDouble(), 0);
        assertEquals(1.2, json.get("training").get("testNll").get(2).asDouble(), 0);
        List<String> charts = written.charts().stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(charts.contains("training-test-accuracy.png") && charts.contains("ood-auroc-noise.png"), charts
                .toString());
        String html = Files.readString(written.html());
        assertTrue(html.indexOf("<h2>Run</h2>") < html.indexOf("<h2>Classification</h2>"), "run settings come first");
    }

    @Test
    void chartsOfOnePointAndEmptySeriesRender(@TempDir Path dir) throws IOException {
        List<ReliabilityBin> emptyBins = new ArrayList<>();
        for (int b = 0; b < BINS; b++) {
            emptyBins.add(new ReliabilityBin(b / (double) BINS, (b + 1) / (double) BINS, 0, Double.NaN, Double.NaN));
        }
        ClassificationSummary empty = new ClassificationSummary(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, new ReliabilityDiagram(emptyBins, 0));
        EvaluationReport r = EvaluationReport.builder("degenerate").bins(BINS)
                // a method with only a shifted set: a one-point shift series and a reliability chart on it
                .addClassification("MAP", new EvaluationSet("rot 15", ShiftKind.ROTATION, 15), SOFT, Y)
                // a method without a single prediction: empty bins, NaN metrics
                .addClassification("empty", EvaluationSet.clean("test"), empty)
                .addOod("MAP", "test", "noise", new OodResult(OodScore.MAX_PROBABILITY, Double.NaN, Double.NaN, 0, 0))
                .trainingCurves(new TrainingCurves(List.of(new EpochRecord(1, 2.0, -5.0, Map.of("prior", 1.0), 0.5,
                        1.0))))
                .build();
        WrittenReport written = ReportWriter.write(r, dir);
        assertEquals(List.of("reliability-map.png", "reliability-empty.png", "confidence-histogram.png",
                "shift-rotation-accuracy.png", "shift-rotation-nll.png", "shift-rotation-ece.png",
                "ood-auroc-noise.png", "training-loss.png", "training-test-accuracy.png",
                "training-log-marginal-likelihood.png", "training-hyperparameters.png"),
                written.charts().stream().map(p -> p.getFileName().toString()).toList());
        for (Path chart : written.charts()) {
            assertTrue(Files.size(chart) > 1000, chart + " is too small");
        }
        EvaluationReport noEpochs = EvaluationReport.builder("no epochs").trainingCurves(new TrainingCurves(List.of()))
                .build();
        WrittenReport none = ReportWriter.write(noEpochs, dir.resolve("none"));
        assertTrue(none.charts().isEmpty());
        assertFalse(Files.readString(none.markdown()).contains("Per epoch"));
    }
}
