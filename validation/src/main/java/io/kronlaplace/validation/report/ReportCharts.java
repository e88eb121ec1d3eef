package io.kronlaplace.validation.report;

import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.metrics.OodResult;
import io.kronlaplace.validation.metrics.OodScore;
import io.kronlaplace.validation.metrics.ReliabilityBin;
import io.kronlaplace.validation.metrics.ReliabilityDiagram;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws the charts of an {@link EvaluationReport} with XChart into PNG bytes, headless ({@code java.awt.headless}
 * is set to true before any AWT class loads, so this works on servers without a display).
 *
 * <p>Charts, by id: {@code reliability-<method>} (one per method, on its reference set, see
 * {@link EvaluationReport#referenceEntry}; bins labelled with their example counts), {@code confidence-histogram},
 * {@code shift-rotation-accuracy}, {@code shift-rotation-nll}, {@code shift-rotation-ece} and the same three for
 * {@code shift-noise-} (when such shifts exist; the clean set is the level-0 point), {@code ood-auroc-<OOD set>} (one
 * per in-distribution and OOD pair: AUROC per method and score), and from training curves {@code training-loss}
 * (with the test NLL when evaluated), {@code training-test-accuracy}, {@code training-log-marginal-likelihood} and
 * {@code training-hyperparameters} and {@code training-metrics} (when present). Every id starts with one of
 * {@link #ID_PREFIXES}.
 */
public final class ReportCharts {
    /**
     * The beginnings of every chart id: {@link ReportWriter} removes a directory's chart files that start with one of
     * them and that the report it writes does not have, so no chart of an earlier report is left behind.
     */
    public static final List<String> ID_PREFIXES = List.of("reliability-", "confidence-", "shift-", "ood-",
            "pit-", "training-");

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private static final Color[] PALETTE = {new Color(31, 119, 180), new Color(255, 127, 14),
        new Color(44, 160, 44), new Color(214, 39, 40), new Color(148, 103, 189), new Color(140, 86, 75),
        new Color(227, 119, 194), new Color(127, 127, 127), new Color(188, 189, 34), new Color(23, 190, 207)};
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 17);
    private static final Font AXIS_TITLE = new Font(Font.SANS_SERIF, Font.PLAIN, 15);
    private static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font LEGEND = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final int WIDTH = 560;
    private static final int HEIGHT = 460;
    /** Height of one entry of a stacked legend at the legend font. */
    private static final int LEGEND_ROW = 20;

    private ReportCharts() {
    }

    /**
     * Every chart the report's content supports, in display order.
     *
     * @param report the report
     * @return the rendered charts
     */
    public static List<ChartImage> render(EvaluationReport report) {
        List<ChartImage> charts = new ArrayList<>();
        List<String> methods = report.classification().stream().map(ClassificationEntry::method).distinct()
                .toList();
        Set<String> usedIds = new HashSet<>();
        for (int m = 0; m < methods.size(); m++) {
            Optional<ClassificationEntry> reference = report.referenceEntry(methods.get(m));
            if (reference.isPresent()) {
                charts.add(reliability(uniqueId("reliability-" + slug(methods.get(m)), usedIds), reference.get(),
                        PALETTE[m % PALETTE.length]));
            }
        }
        if (!methods.isEmpty()) {
            charts.add(confidenceHistogram(report, methods));
        }
        for (ShiftKind kind : List.of(ShiftKind.ROTATION, ShiftKind.GAUSSIAN_NOISE)) {
            if (report.classification().stream().anyMatch(e -> e.set().kind() == kind)) {
                charts.add(shiftChart(report, methods, kind, "accuracy", "Accuracy", ClassificationSummary::accuracy));
                charts.add(shiftChart(report, methods, kind, "nll", "NLL (nats)", ClassificationSummary::nll));
                charts.add(shiftChart(report, methods, kind, "ece", "ECE", ClassificationSummary::ece));
            }
        }
        charts.addAll(oodCharts(report));
        if (!report.regression().isEmpty()) {
            charts.add(pitHistogram(report.regression()));
        }
        report.training().ifPresent(curves -> charts.addAll(trainingCharts(curves)));
        return charts;
    }

    /**
     * A file-name-safe lower-case slug of a display name ("Laplace probit" -> "laplace-probit").
     *
     * @param name a display name
     * @return the slug: lower-case letters and digits joined by single hyphens, "unnamed" when none remain
     */
    public static String slug(String name) {
        String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return s.isEmpty() ? "unnamed" : s;
    }

    /**
     * {@code base}, or {@code base-2}, {@code base-3}... when taken: "Laplace MC" and "laplace-mc" share a slug, and
     * the later one is numbered so no file is overwritten. Adds the returned id to {@code used}.
     */
    private static String uniqueId(String base, Set<String> used) {
        String id = base;
        for (int k = 2; !used.add(id); k++) {
            id = base + "-" + k;
        }
        return id;
    }

    private static ChartImage reliability(String id, ClassificationEntry entry, Color colour) {
        ReliabilityDiagram diagram = entry.summary().reliability();
        String title = String.format(Locale.ROOT, "Reliability: %s on %s (ECE %.3f)", entry.method(),
                entry.set().name(), entry.summary().ece());
        // the chart itself carries the short title so long method names fit; the caption keeps the full one
        String chartTitle = String.format(Locale.ROOT, "%s (ECE %.3f)", entry.method(), entry.summary().ece());
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(chartTitle)
                .xAxisTitle("Confidence bin centre (examples in bin)").yAxisTitle("Accuracy").build();
        style(chart);
        CategoryStyler styler = chart.getStyler();
        styler.setAvailableSpaceFill(0.92);
        styler.setOverlapped(true);
        styler.setYAxisMin(0.0);
        styler.setYAxisMax(1.0);
        styler.setXAxisLabelRotation(60);
        styler.setYAxisDecimalPattern("0.0");
        chart.getStyler().setSeriesColors(new Color[] {colour, Color.DARK_GRAY});
        List<String> centres = new ArrayList<>();
        List<Double> accuracy = new ArrayList<>();
        List<Double> ideal = new ArrayList<>();
        for (ReliabilityBin bin : diagram.bins()) {
            double centre = (bin.lower() + bin.upper()) / 2;
            centres.add(binLabel(bin, true));
            accuracy.add(bin.isEmpty() ? null : bin.accuracy());
            ideal.add(centre);
        }
        chart.addSeries("Accuracy in bin", centres, accuracy);
        CategorySeries line = chart.addSeries("Perfect calibration", centres, ideal);
        line.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        line.setMarker(SeriesMarkers.NONE);
        line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[] {6f, 4f}, 0f));
        return encode(id, title, chart);
    }

    private static ChartImage confidenceHistogram(EvaluationReport report, List<String> methods) {
        List<ClassificationEntry> references = methods.stream().map(m -> report.referenceEntry(m).orElseThrow())
                .toList();
        String title = "Confidence histogram on " + references.stream().map(e -> e.set().name()).distinct()
                .collect(Collectors.joining(", "));
        CategoryChart chart = fractionHistogram(title, height(methods), "Confidence (bin centre)",
                "Fraction of predictions");
        for (ClassificationEntry entry : references) {
            ReliabilityDiagram diagram = entry.summary().reliability();
            List<String> centres = new ArrayList<>();
            List<Double> fractions = new ArrayList<>();
            for (ReliabilityBin bin : diagram.bins()) {
                centres.add(binLabel(bin, false));
                fractions.add(diagram.total() == 0 ? 0.0 : (double) bin.count() / diagram.total());
            }
            chart.addSeries(entry.method(), centres, fractions);
        }
        return encode("confidence-histogram", title, chart);
    }

    /** A styled bar chart of fractions per bin: wide bars, rotated bin labels, y from 0 with two decimals. */
    private static CategoryChart fractionHistogram(String title, int height, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(height).title(title)
                .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
        style(chart);
        CategoryStyler styler = chart.getStyler();
        styler.setAvailableSpaceFill(0.85);
        styler.setXAxisLabelRotation(60);
        styler.setYAxisMin(0.0);
        styler.setYAxisDecimalPattern("0.00");
        return chart;
    }

    /** Calibration of regression predictives: one PIT histogram series per method and set, and the uniform line. */
    private static ChartImage pitHistogram(List<RegressionEntry> entries) {
        String title = "Calibration (PIT histogram)";
        CategoryChart chart = fractionHistogram(title, HEIGHT, "PIT value Phi((y - mean) / sd) (bin centre)",
                "Fraction of targets");
        int bins = entries.get(0).summary().pitHistogram().length;
        List<String> centres = new ArrayList<>();
        List<Double> uniform = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            centres.add(String.format(Locale.ROOT, "%.2f", (b + 0.5) / bins));
            uniform.add(1.0 / bins);
        }
        for (RegressionEntry entry : entries) {
            List<Double> values = new ArrayList<>();
            for (double fraction : entry.summary().pitHistogram()) {
                values.add(fraction);
            }
            chart.addSeries(entry.method() + " (" + entry.set() + ")", centres, values);
        }
        CategorySeries line = chart.addSeries("Calibrated (uniform)", centres, uniform);
        line.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        line.setMarker(SeriesMarkers.NONE);
        return encode("pit-histogram", title, chart);
    }

    private static ChartImage shiftChart(EvaluationReport report, List<String> methods,
            ShiftKind kind, String metricId, String metricTitle, ToDoubleFunction<ClassificationSummary> metric) {
        String shiftName = kind == ShiftKind.ROTATION ? "rotation" : "noise";
        String axis = kind == ShiftKind.ROTATION ? "Rotation angle (degrees)" : "Gaussian noise std";
        String title = metricTitle.replace(" (nats)", "") + " under increasing " + shiftName;
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height(methods)).title(title).xAxisTitle(axis)
                .yAxisTitle(metricTitle).build();
        style(chart);
        XYStyler styler = chart.getStyler();
        styler.setXAxisDecimalPattern(kind == ShiftKind.ROTATION ? "0" : "0.0##");
        if (metricId.equals("accuracy")) {
            styler.setYAxisMin(0.0);
            styler.setYAxisMax(1.0);
            styler.setYAxisDecimalPattern("0.0");
        } else if (metricId.equals("ece")) {
            styler.setYAxisMin(0.0);
            styler.setYAxisDecimalPattern("0.00");
        }
        for (String method : methods) {
            List<ClassificationEntry> points = report.classification().stream()
                    .filter(e -> e.method().equals(method)
                            && (e.set().kind() == kind || e.set().kind() == ShiftKind.NONE))
                    .sorted(Comparator.comparingDouble(e -> e.set().level())).toList();
            if (points.stream().noneMatch(e -> e.set().kind() == kind)) {
                continue;
            }
            double[] x = points.stream().mapToDouble(e -> e.set().level()).toArray();
            double[] y = points.stream().mapToDouble(e -> metric.applyAsDouble(e.summary())).toArray();
            XYSeries series = chart.addSeries(method, x, y);
            series.setMarker(SeriesMarkers.CIRCLE);
        }
        return encode("shift-" + shiftName + "-" + metricId, title, chart);
    }

    /**
     * One bar chart per (in-distribution, OOD) pair: the AUROC of each method (categories) under each OOD score
     * (series), with the values printed on the bars.
     */
    private static List<ChartImage> oodCharts(EvaluationReport report) {
        List<ChartImage> charts = new ArrayList<>();
        Set<String> usedIds = new HashSet<>();
        for (OodPair pair : OodPair.of(report)) {
            List<String> methods = pair.methods();
            List<OodScore> scores = pair.scores();
            List<String> seriesNames = scores.stream().map(s -> "score: " + ReportTables.scoreName(s)).toList();
            String title = "OOD detection: " + pair.inSet() + " vs " + pair.oodSet();
            CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(height(seriesNames)).title(title)
                    .xAxisTitle("Method").yAxisTitle("AUROC").build();
            style(chart);
            CategoryStyler styler = chart.getStyler();
            styler.setYAxisMin(0.0);
            styler.setYAxisMax(1.0);
            // the bar labels use the axis pattern: two decimals tell methods apart
            styler.setYAxisDecimalPattern("0.00");
            styler.setAvailableSpaceFill(0.8);
            styler.setLabelsVisible(true);
            styler.setLabelsFont(LEGEND);
            styler.setLabelsFontColor(Color.BLACK);
            styler.setLabelsFontColorAutomaticEnabled(false);
            styler.setLabelsPosition(0.9);
            for (int k = 0; k < scores.size(); k++) {
                OodScore score = scores.get(k);
                List<Double> auroc = new ArrayList<>();
                for (String method : methods) {
                    double value = pair.result(method, score).map(OodResult::auroc).orElse(Double.NaN);
                    // XChart leaves null bars out; NaN would break its axis scaling
                    auroc.add(Double.isFinite(value) ? value : null);
                }
                chart.addSeries(seriesNames.get(k), methods, auroc);
            }
            charts.add(encode(uniqueId("ood-auroc-" + slug(pair.oodSet()), usedIds), title + " (AUROC)", chart));
        }
        return charts;
    }

    /**
     * The category label of a confidence bin: its centre, and with {@code withCount} the number of examples in it.
     */
    static String binLabel(ReliabilityBin bin, boolean withCount) {
        String centre = String.format(Locale.ROOT, "%.2f", (bin.lower() + bin.upper()) / 2);
        return withCount ? centre + " (" + bin.count() + ")" : centre;
    }

    private static List<ChartImage> trainingCharts(TrainingCurves curves) {
        List<ChartImage> charts = new ArrayList<>();
        double[] epochs = curves.epochNumbers();
        if (epochs.length == 0) {
            return charts;
        }
        lineChart("training-loss", "Training loss and test NLL", "NLL (nats per example)",
                List.of(new Line("train loss", epochs, curves.trainLoss()),
                        new Line("test NLL", epochs, curves.testNll())), false).ifPresent(charts::add);
        lineChart("training-test-accuracy", "Test accuracy per epoch", "Accuracy",
                List.of(new Line("test accuracy", epochs, curves.testAccuracy())), false).ifPresent(charts::add);
        lineChart("training-log-marginal-likelihood", "Log marginal likelihood", "log p(D | hyperparameters)",
                List.of(new Line("log marginal likelihood", epochs, curves.logMarginalLikelihood())), false)
                .ifPresent(charts::add);
        List<String> names = curves.hyperparameterNames();
        if (!names.isEmpty()) {
            List<Line> lines = new ArrayList<>();
            boolean positive = true;
            for (String name : names) {
                double[] values = curves.hyperparameter(name);
                for (double v : values) {
                    positive &= !Double.isFinite(v) || v > 0;
                }
                lines.add(new Line(name, epochs, values));
            }
            lineChart("training-hyperparameters", "Hyperparameters" + (positive ? " (log scale)" : ""), "Value",
                    lines, positive).ifPresent(charts::add);
        }
        List<Line> metrics = new ArrayList<>();
        for (String name : curves.metricNames()) {
            metrics.add(new Line(name, epochs, curves.metric(name)));
        }
        lineChart("training-metrics", "Training measurements", "Value", metrics, false).ifPresent(charts::add);
        return charts;
    }

    private record Line(String name, double[] x, double[] y) {
    }

    /** A line chart of the finite points of each line; empty when no line has a finite point. */
    private static Optional<ChartImage> lineChart(String id, String title, String yTitle, List<Line> lines,
            boolean logY) {
        if (lines.stream().noneMatch(l -> Arrays.stream(l.y()).anyMatch(Double::isFinite))) {
            return Optional.empty();
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(height(lines.stream().map(Line::name).toList()))
                .title(title).xAxisTitle("Epoch").yAxisTitle(yTitle).build();
        style(chart);
        XYStyler styler = chart.getStyler();
        styler.setLegendVisible(lines.stream().filter(l -> Arrays.stream(l.y()).anyMatch(Double::isFinite)).count()
                > 1);
        styler.setYAxisLogarithmic(logY);
        styler.setXAxisDecimalPattern("0");
        if (logY) {
            // whole decades at both ends, so the log axis always shows at least two labelled ticks
            double min = lines.stream().flatMapToDouble(l -> Arrays.stream(l.y())).filter(Double::isFinite)
                    .min().orElse(1.0);
            double max = lines.stream().flatMapToDouble(l -> Arrays.stream(l.y())).filter(Double::isFinite)
                    .max().orElse(1.0);
            styler.setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
            styler.setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max))));
        } else {
            double[] y = lines.stream().flatMapToDouble(l -> Arrays.stream(l.y())).filter(Double::isFinite)
                    .distinct().toArray();
            if (y.length == 1) {
                // one distinct value gives XChart a zero range, which it labels with the unrounded value itself
                double[] range = roundedRange(y[0]);
                styler.setYAxisMin(range[0]);
                styler.setYAxisMax(range[1]);
            }
        }
        double[] pointEpochs = lines.stream().flatMap(l -> java.util.stream.IntStream.range(0, l.x().length)
                .filter(i -> Double.isFinite(l.y()[i])).mapToObj(i -> l.x()[i])).mapToDouble(Double::doubleValue)
                .distinct().toArray();
        if (pointEpochs.length == 1) {
            // one epoch: whole epochs either side, so that the axis has integer ticks around the point
            styler.setXAxisMin(pointEpochs[0] - 1);
            styler.setXAxisMax(pointEpochs[0] + 1);
        }
        for (Line line : lines) {
            // epochs without a value (NaN) are left out rather than drawn as gaps XChart cannot scale
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < line.x().length; i++) {
                if (Double.isFinite(line.y()[i])) {
                    x.add(line.x()[i]);
                    y.add(line.y()[i]);
                }
            }
            if (x.isEmpty()) {
                continue;
            }
            XYSeries series = chart.addSeries(line.name(), x, y);
            series.setMarker(x.size() <= 30 ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return Optional.of(encode(id, title, chart));
    }

    /**
     * Round axis bounds around a single value: the multiples of the value's decade (or of 1 for 0) just below and just
     * above it, e.g. -3000 and -2000 for -2303.4, 4 and 6 for 5.
     *
     * @param v a finite value
     * @return {min, max} with min &lt; v &lt; max
     */
    static double[] roundedRange(double v) {
        double step = v == 0 ? 1 : Math.pow(10, Math.floor(Math.log10(Math.abs(v))));
        double min = Math.floor(v / step) * step;
        double max = Math.ceil(v / step) * step;
        if (min >= v) {
            min -= step;
        }
        if (max <= v) {
            max += step;
        }
        return new double[] {min, max};
    }

    private static void style(Chart<? extends AxesChartStyler, ?> chart) {
        AxesChartStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderColor(Color.GRAY);
        styler.setChartTitleBoxVisible(false);
        styler.setChartTitleFont(TITLE);
        styler.setLegendFont(LEGEND);
        styler.setLegendBorderColor(Color.LIGHT_GRAY);
        // below the plot: a legend inside the plot area can hide bars or lines
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        styler.setSeriesColors(PALETTE);
        styler.setMarkerSize(7);
        styler.setAxisTitleFont(AXIS_TITLE);
        styler.setAxisTickLabelsFont(TICKS);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setChartPadding(12);
    }

    /**
     * Whether a legend of these entries is stacked: a horizontal legend wider than the chart is clipped (about 8 px
     * per character at the legend font plus the marker and spacing per entry).
     */
    private static boolean stackedLegend(Collection<String> names) {
        return names.stream().mapToInt(name -> 40 + 8 * name.length()).sum() > WIDTH - 40;
    }

    /**
     * The chart height for a legend of these entries: a stacked legend below the plot takes one row per entry, so
     * the chart grows by the extra rows and its plot keeps the height of a chart with a one-row legend.
     */
    private static int height(Collection<String> legendNames) {
        return stackedLegend(legendNames) ? HEIGHT + LEGEND_ROW * (legendNames.size() - 1) : HEIGHT;
    }

    private static ChartImage encode(String id, String title, Chart<?, ?> chart) {
        if (ID_PREFIXES.stream().noneMatch(id::startsWith)) {
            throw new IllegalStateException("chart id " + id + " starts with none of " + ID_PREFIXES);
        }
        if (stackedLegend(chart.getSeriesMap().keySet())) {
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
        try {
            return new ChartImage(id, title,
                    BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode chart " + id, e);
        }
    }
}
