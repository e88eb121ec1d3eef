package io.kronlaplace.validation.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.metrics.OodScore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
    private static final double[][] P = {{0.7, 0.2, 0.1}, {0.2, 0.5, 0.3}, {0.25, 0.25, 0.5}, {0.1, 0.1, 0.8}};
    private static final int[] Y = {0, 2, 2, 0};
    private static final double[][] SHARP = {{0.9, 0.05, 0.05}, {0.05, 0.05, 0.9}, {0.05, 0.05, 0.9},
        {0.9, 0.05, 0.05}};

    private static EvaluationReport report(boolean withTraining) {
        EvaluationReport.Builder b = EvaluationReport.builder("Unit <report>").description("two methods").bins(5)
                .addClassification("MAP", EvaluationSet.clean("test"), SHARP, Y)
                .addClassification("Laplace probit", EvaluationSet.clean("test"), P, Y)
                .addClassification("MAP", new EvaluationSet("rot 30", ShiftKind.ROTATION, 30), P, Y)
                .addClassification("Laplace probit", new EvaluationSet("rot 30", ShiftKind.ROTATION, 30), P, Y)
                .addClassification("MAP", new EvaluationSet("noise 0.1", ShiftKind.GAUSSIAN_NOISE, 0.1), P, Y)
                .addOod("MAP", "test", "noise images", SHARP, P)
                .oodScore(OodScore.NEGATIVE_ENTROPY)
                .addOod("Laplace probit", "test", "noise images", P, SHARP)
                .addRegression("GP", "toy", new io.kronlaplace.validation.metrics.RegressionSummary(3, 1.5, 2.5,
                        0.4, 0.8, 0.9, new double[] {0.5, 0.5}));
        if (withTraining) {
            List<EpochRecord> epochs = new ArrayList<>();
            for (int e = 1; e <= 4; e++) {
                Map<String, Double> h = new LinkedHashMap<>();
                h.put("prior precision", (double) e);
                if (e > 2) {
                    h.put("temperature", 1.0 / e);
                }
                epochs.add(new EpochRecord(e, 3.0 - e * 0.5, e % 2 == 0 ? -100.0 / e : Double.NaN, h));
            }
            b.trainingCurves(new TrainingCurves(epochs));
        }
        return b.build();
    }

    @Test
    void jsonRoundTripHoldsTheMetricValues(@TempDir Path dir) throws IOException {
        WrittenReport written = ReportWriter.write(report(true), dir);
        JsonNode root = new ObjectMapper().readTree(written.json().toFile());
        assertEquals(ReportJson.SCHEMA, root.get("schema").asText());
        assertEquals("Unit <report>", root.get("title").asText());
        assertEquals(5, root.get("bins").asInt());
        assertEquals(List.of("MAP", "Laplace probit", "GP"), strings(root.get("methods")));
        assertEquals(3, root.get("evaluationSets").size());
        assertEquals("ROTATION", root.get("evaluationSets").get(1).get("kind").asText());
        assertEquals(30.0, root.get("evaluationSets").get(1).get("level").asDouble(), 0);

        JsonNode laplace = root.get("classification").get(1);
        assertEquals("Laplace probit", laplace.get("method").asText());
        assertEquals("test", laplace.get("set").asText());
        assertEquals(4, laplace.get("count").asInt());
        // hand-computed for P and Y (see ClassificationMetricsTest)
        assertEquals(0.5, laplace.get("accuracy").asDouble(), 0);
        assertEquals(-(Math.log(0.7) + Math.log(0.3) + Math.log(0.5) + Math.log(0.1)) / 4,
                laplace.get("nll").asDouble(), 1e-15);
        assertEquals((0.14 + 0.78 + 0.375 + 1.46) / 4, laplace.get("brier").asDouble(), 1e-15);
        assertEquals(0.125, laplace.get("ece").asDouble(), 1e-15);
        assertEquals(0.25, laplace.get("mce").asDouble(), 1e-15);
        JsonNode bins = laplace.get("reliability");
        assertEquals(5, bins.size());
        assertTrue(bins.get(0).get("accuracy").isNull(), "empty bins are null");
        assertEquals(2, bins.get(3).get("count").asInt());
        assertEquals(0.75, bins.get(3).get("meanConfidence").asDouble(), 1e-15);
        assertEquals(0.6, bins.get(3).get("lower").asDouble(), 1e-15);

        JsonNode map = root.get("classification").get(0);
        // SHARP: rows 0..2 correct, row 3 predicts 0 = label 0 -> all correct with confidence 0.9
        assertEquals(1.0, map.get("accuracy").asDouble(), 0);
        assertEquals(0.1, map.get("ece").asDouble(), 1e-12);

        JsonNode ood = root.get("ood");
        assertEquals("MAX_PROBABILITY", ood.get(0).get("score").asText());
        // confidences in {.9 x4} vs out {.7, .5, .5, .8}: every in-score is larger
        assertEquals(1.0, ood.get(0).get("auroc").asDouble(), 0);
        assertEquals(0.0, ood.get(0).get("fprAt95Tpr").asDouble(), 0);
        assertEquals("NEGATIVE_ENTROPY", ood.get(1).get("score").asText());
        assertEquals(0.0, ood.get(1).get("auroc").asDouble(), 0);
        assertEquals(1.0, ood.get(1).get("fprAt95Tpr").asDouble(), 0);

        JsonNode regression = root.get("regression").get(0);
        assertEquals(1.5, regression.get("rmse").asDouble(), 0);
        assertEquals(0.9, regression.get("coverage95").asDouble(), 0);

        JsonNode training = root.get("training");
        assertEquals(List.of(1, 2, 3, 4), ints(training.get("epochs")));
        assertEquals(2.5, training.get("trainLoss").get(0).asDouble(), 0);
        assertTrue(training.get("logMarginalLikelihood").get(0).isNull());
        assertEquals(-50.0, training.get("logMarginalLikelihood").get(1).asDouble(), 0);
        assertEquals(3.0, training.get("hyperparameters").get("prior precision").get(2).asDouble(), 0);
        assertTrue(training.get("hyperparameters").get("temperature").get(0).isNull());
        assertEquals(0.25, training.get("hyperparameters").get("temperature").get(3).asDouble(), 0);
    }

    @Test
    void everyChartIsWrittenAsPngAndEmbeddedInTheHtml(@TempDir Path dir) throws IOException {
        WrittenReport written = ReportWriter.write(report(true), dir);
        List<String> ids = written.charts().stream()
                .map(p -> p.getFileName().toString().replace(".png", "")).toList();
        assertEquals(List.of("reliability-map", "reliability-laplace-probit", "confidence-histogram",
                "shift-rotation-accuracy", "shift-rotation-nll", "shift-rotation-ece", "shift-noise-accuracy",
                "shift-noise-nll", "shift-noise-ece", "ood-auroc-noise-images", "pit-histogram", "training-loss",
                "training-log-marginal-likelihood", "training-hyperparameters"), ids);
        String html = Files.readString(written.html());
        for (Path chart : written.charts()) {
            byte[] png = Files.readAllBytes(chart);
            assertTrue(png.length > 1000, chart + " is too small");
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
            String id = chart.getFileName().toString().replace(".png", "");
            Matcher m = Pattern.compile("<img id=\"chart-" + Pattern.quote(id)
                    + "\" alt=\"[^\"]*\" src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
            assertTrue(m.find(), "HTML lacks chart " + id);
            assertArrayEquals(png, Base64.getDecoder().decode(m.group(1)), "embedded image differs from " + id);
        }
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"),
                "the page must not load external resources");
        assertTrue(html.contains("<title>Unit &lt;report&gt;</title>"));
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files left");
        }
    }

    @Test
    void markdownHasOneRowPerResult(@TempDir Path dir) throws IOException {
        String md = Files.readString(ReportWriter.write(report(false), dir).markdown());
        assertTrue(md.startsWith("# Unit <report>\n"));
        assertTrue(md.contains("### test (clean)\n"), md);
        assertTrue(md.contains("| Laplace probit | 4 | 0.5000 | "), md);
        assertTrue(md.contains("### rot 30 (rotation 30\u00b0)\n"), md);
        assertTrue(md.contains("### noise 0.1 (noise std 0.1)\n\n| Method | N |"), md);
        assertTrue(md.contains("### test vs noise images (out-of-distribution)\n"), md);
        assertTrue(md.contains("| MAP | 1.0000 | 0.0000 | n/a | n/a |"), md);
        assertTrue(md.contains("| GP | toy | 3 | -2.5000 | 1.5000 | 0.4000 | 0.8000 | 0.9000 |"), md);
        assertFalse(md.contains("Training"));
    }

    @Test
    void withoutTrainingCurvesThereAreNoTrainingCharts(@TempDir Path dir) throws IOException {
        WrittenReport written = ReportWriter.write(report(false), dir);
        assertTrue(written.charts().stream().noneMatch(p -> p.getFileName().toString().startsWith("training")));
        assertTrue(new ObjectMapper().readTree(written.json().toFile()).get("training").isNull());
    }

    @Test
    void lossOnlyCurvesGiveOnlyALossChart(@TempDir Path dir) throws IOException {
        EvaluationReport r = EvaluationReport.builder("loss only").trainingCurves(new TrainingCurves(List.of(
                EpochRecord.loss(1, 2.0), EpochRecord.loss(2, 1.0), new EpochRecord(3, 0.5, Double.NaN,
                        Map.of("prior precision", Double.NaN))))).build();
        WrittenReport written = ReportWriter.write(r, dir);
        assertEquals(List.of(dir.resolve("training-loss.png")), written.charts());
        JsonNode training = new ObjectMapper().readTree(written.json().toFile()).get("training");
        assertEquals(3, training.get("logMarginalLikelihood").size());
        assertTrue(training.get("hyperparameters").get("prior precision").get(0).isNull());
        assertTrue(Files.readString(written.markdown())
                .contains("| train loss | 2.0000 (epoch 1) | 0.5000 (epoch 3) |"));
    }

    @Test
    void trainingTableNamesTheEpochOfEveryFirstAndLastValue(@TempDir Path dir) throws IOException {
        List<EpochRecord> epochs = new ArrayList<>();
        for (int e = 1; e <= 8; e++) {
            // marginal likelihood and prior only from epoch 6 on, as with a burn-in
            epochs.add(new EpochRecord(e, 10.0 - e, e >= 6 ? -100.0 + e : Double.NaN,
                    e >= 6 ? Map.of("prior precision", (double) e) : Map.of(), Map.of("train accuracy", e / 10.0)));
        }
        EvaluationReport r = EvaluationReport.builder("burn-in").trainingCurves(new TrainingCurves(epochs)).build();
        WrittenReport written = ReportWriter.write(r, dir);
        String markdown = Files.readString(written.markdown());
        assertTrue(markdown.contains("| log marginal likelihood | -94.0000 (epoch 6) | -92.0000 (epoch 8) |"),
                markdown);
        assertTrue(markdown.contains("| prior precision | 6.0000 (epoch 6) | 8.0000 (epoch 8) |"), markdown);
        assertTrue(markdown.contains("| train accuracy | 0.1000 (epoch 1) | 0.8000 (epoch 8) |"), markdown);
        assertFalse(markdown.contains("Epoch 1 |"), markdown);
        assertTrue(written.charts().contains(dir.resolve("training-metrics.png")));
        JsonNode training = new ObjectMapper().readTree(written.json().toFile()).get("training");
        assertFalse(training.get("hyperparameters").has("train accuracy"));
        assertEquals(0.8, training.get("metrics").get("train accuracy").get(7).asDouble(), 0);
    }

    @Test
    void aOnePointChartGetsRoundAxisBounds(@TempDir Path dir) throws IOException {
        assertArrayEquals(new double[] {-3000, -2000}, ReportCharts.roundedRange(-2303.4), 0);
        assertArrayEquals(new double[] {4, 6}, ReportCharts.roundedRange(5), 0);
        assertArrayEquals(new double[] {-1, 1}, ReportCharts.roundedRange(0), 0);
        assertArrayEquals(new double[] {0.01, 0.02}, ReportCharts.roundedRange(0.0123), 1e-15);
        EvaluationReport r = EvaluationReport.builder("one update").trainingCurves(new TrainingCurves(List.of(
                EpochRecord.loss(1, 2.0), new EpochRecord(2, 1.0, -2303.4, Map.of())))).build();
        assertTrue(ReportWriter.write(r, dir).charts().contains(dir.resolve("training-log-marginal-likelihood.png")));
    }

    @Test
    void rewritingReplacesFilesAtomically(@TempDir Path dir) throws IOException {
        WrittenReport first = ReportWriter.write(report(true), dir);
        WrittenReport second = ReportWriter.write(report(false), dir);
        assertTrue(new ObjectMapper().readTree(second.json().toFile()).get("training").isNull());
        for (Path chart : first.charts()) {
            assertEquals(second.charts().contains(chart), Files.exists(chart), "a chart of the first report only "
                    + "is removed: " + chart);
        }
        assertTrue(first.charts().stream().anyMatch(c -> !second.charts().contains(c)), "the first had more charts");
    }

    @Test
    void collidingMethodSlugsGetDistinctChartFiles(@TempDir Path dir) throws IOException {
        EvaluationReport r = EvaluationReport.builder("slugs")
                .addClassification("Laplace MC", EvaluationSet.clean("test"), P, Y)
                .addClassification("laplace-mc", EvaluationSet.clean("test"), P, Y).build();
        List<String> names = ReportWriter.write(r, dir).charts().stream().map(p -> p.getFileName().toString())
                .toList();
        assertEquals(List.of("reliability-laplace-mc.png", "reliability-laplace-mc-2.png",
                "confidence-histogram.png"), names);
    }

    @Test
    void builderRejectsInconsistentInput() {
        EvaluationReport.Builder b = EvaluationReport.builder("x")
                .addClassification("MAP", EvaluationSet.clean("test"), P, Y);
        assertThrows(IllegalArgumentException.class,
                () -> b.addClassification("MAP", EvaluationSet.clean("test"), P, Y));
        assertThrows(IllegalArgumentException.class,
                () -> b.addClassification("MC", new EvaluationSet("test", ShiftKind.ROTATION, 10), P, Y));
        assertThrows(IllegalArgumentException.class, () -> b.addClassification(" ", EvaluationSet.clean("t"), P, Y));
        assertThrows(IllegalArgumentException.class,
                () -> b.addClassification("MC", EvaluationSet.clean("t"), P, new int[] {0, 1}));
        assertThrows(IllegalStateException.class, () -> EvaluationReport.builder("empty").build());
        assertThrows(IllegalArgumentException.class, () -> new TrainingCurves(List.of(EpochRecord.loss(2, 1),
                EpochRecord.loss(2, 0.5))));
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }
}
