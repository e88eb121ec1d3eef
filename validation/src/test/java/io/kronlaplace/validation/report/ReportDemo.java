package io.kronlaplace.validation.report;

import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.metrics.OodDetection;
import io.kronlaplace.validation.metrics.OodScore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Example of the report API on synthetic predictions: three methods (an overconfident "MAP" and two softer
 * "Laplace" variants) on a clean test set, rotations, noise and an out-of-distribution set, plus training curves.
 * Run {@code main} with an output directory to look at the result.
 */
public final class ReportDemo {
    static final int CLASSES = 10;
    static final int COUNT = 500;
    static final double[] ANGLES = {15, 30, 45, 60};
    static final double[] NOISE = {0.05, 0.1, 0.2};
    static final List<String> METHODS = List.of("MAP", "Laplace probit", "Laplace MC");
    /** Logit temperature per method: MAP is sharpest, hence most overconfident. */
    static final double[] TEMPERATURE = {0.3, 0.5, 0.55};

    private ReportDemo() {
    }

    /** Writes the demo report into {@code args[0]} (default {@code target/report-demo}). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "target/report-demo");
        WrittenReport written = ReportWriter.write(build(), dir);
        System.out.println("wrote " + written.html().toAbsolutePath());
    }

    /** The demo report. */
    static EvaluationReport build() {
        SplittableRandom random = new SplittableRandom(7);
        int[] labels = new int[COUNT];
        for (int i = 0; i < COUNT; i++) {
            labels[i] = random.nextInt(CLASSES);
        }
        EvaluationReport.Builder builder = EvaluationReport.builder("Demo report (synthetic predictions)")
                .description("Synthetic softmax predictions with a class signal that weakens as the shift grows; "
                        + "the MAP predictions are sharper than the Laplace ones.");
        for (int m = 0; m < METHODS.size(); m++) {
            String method = METHODS.get(m);
            builder.addClassification(method, EvaluationSet.clean("test"),
                    predictions(labels, 3.0, TEMPERATURE[m], new SplittableRandom(100 + m)), labels);
            for (double angle : ANGLES) {
                builder.addClassification(method, new EvaluationSet("test rotated " + (int) angle + " deg",
                        ShiftKind.ROTATION, angle), predictions(labels, 3.0 * (1 - angle / 75.0), TEMPERATURE[m],
                        new SplittableRandom(200 + m)), labels);
            }
            for (double std : NOISE) {
                builder.addClassification(method, new EvaluationSet("test noise std " + std,
                        ShiftKind.GAUSSIAN_NOISE, std), predictions(labels, 3.0 * (1 - 3 * std), TEMPERATURE[m],
                        new SplittableRandom(300 + m)), labels);
            }
            double[][] in = predictions(labels, 3.0, TEMPERATURE[m], new SplittableRandom(100 + m));
            double[][] out = predictions(labels, 0.3, TEMPERATURE[m], new SplittableRandom(400 + m));
            builder.addOod(method, "test", "smooth noise", OodDetection.evaluate(in, out, OodScore.MAX_PROBABILITY));
            builder.addOod(method, "test", "smooth noise", OodDetection.evaluate(in, out, OodScore.NEGATIVE_ENTROPY));
        }
        builder.runDetail("Command", "ReportDemo target/report-demo").runDetail("Seed", "7")
                .runDetail("Test examples", Integer.toString(COUNT));
        builder.priorPrecision("conv.weight", 12.5).priorPrecision("conv.bias", 0.8)
                .priorPrecision("linear.weight", 3.25);
        builder.trainingCurves(curves());
        return builder.build();
    }

    /** Softmax of (signal * onehot(label) + N(0, 1) noise) / temperature per row. */
    static double[][] predictions(int[] labels, double signal, double temperature, SplittableRandom random) {
        double[][] probs = new double[labels.length][CLASSES];
        for (int i = 0; i < labels.length; i++) {
            double[] z = new double[CLASSES];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double u1 = 1.0 - random.nextDouble();
                double u2 = random.nextDouble();
                double noise = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
                z[c] = ((c == labels[i] ? signal : 0.0) + 1.2 * noise) / temperature;
                max = Math.max(max, z[c]);
            }
            double sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                z[c] = Math.exp(z[c] - max);
                sum += z[c];
            }
            for (int c = 0; c < CLASSES; c++) {
                probs[i][c] = z[c] / sum;
            }
        }
        return probs;
    }

    /** Twenty epochs of a decaying loss, a rising log marginal likelihood (every 2 epochs) and two priors. */
    static TrainingCurves curves() {
        List<EpochRecord> epochs = new ArrayList<>();
        for (int e = 1; e <= 20; e++) {
            Map<String, Double> hyper = new LinkedHashMap<>();
            hyper.put("prior precision (conv)", 1.0 * Math.pow(1.25, e));
            hyper.put("prior precision (linear)", 10.0 / Math.sqrt(e));
            hyper.put("rotation range (rad)", 0.05 + 0.5 * (1 - Math.exp(-e / 5.0)));
            double lml = e % 2 == 0 ? -50000 * Math.exp(-e / 6.0) - 8000 : Double.NaN;
            epochs.add(new EpochRecord(e, 2.3 * Math.exp(-e / 5.0) + 0.2, lml, hyper, 0.9 - 0.7 * Math.exp(-e / 4.0),
                    2.0 * Math.exp(-e / 6.0) + 0.4));
        }
        return new TrainingCurves(epochs);
    }
}
