package io.kronlaplace.validation.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.metrics.MultiLabelSummary;
import io.kronlaplace.validation.metrics.RegressionSummary;
import io.kronlaplace.validation.metrics.ReliabilityBin;

/**
 * The machine-readable form of an {@link EvaluationReport} ({@code report.json}).
 *
 * <h2>Schema (version {@value #SCHEMA})</h2>
 * Numbers are JSON numbers; a value that is NaN or infinite (an empty reliability bin, an epoch without a
 * marginal-likelihood estimate) is written as {@code null}.
 * <pre>
 * {
 *   "schema": "kronlaplace-report/1",
 *   "title": string, "description": string,
 *   "bins": int,                              // calibration bins
 *   "run": {name: string},                    // command line, seed, data sizes... (may be empty)
 *   "priorPrecisions": {group: number},       // per parameter group of the evaluated posterior (may be empty)
 *   "methods": [string],                      // order of first appearance
 *   "evaluationSets": [ {"name": string, "kind": "NONE"|"ROTATION"|"GAUSSIAN_NOISE"|"OUT_OF_DISTRIBUTION",
 *                        "level": number} ],
 *   "classification": [ {"method": string, "set": string, "kind": string, "level": number, "count": int,
 *                        "accuracy", "nll", "brier", "ece", "mce", "meanConfidence", "meanEntropy": number,
 *                        "reliability": [ {"lower", "upper": number, "count": int,
 *                                          "meanConfidence", "accuracy": number|null} ] } ],
 *   "ood": [ {"method", "inSet", "oodSet": string, "score": "MAX_PROBABILITY"|"NEGATIVE_ENTROPY",
 *             "auroc", "fprAt95Tpr": number, "inCount", "outCount": int} ],
 *   "regression": [ {"method", "set": string, "count": int, "rmse", "nll", "logLikelihood", "coverage50",
 *                    "coverage90", "coverage95": number, "pitHistogram": [number, ...]} ],
 *   "multiLabel": [ {"method", "set": string, "count", "observed": int, "averagePrecision", "nll", "brier": number} ],
 *   "training": null | {"epochs": [int], "trainLoss": [number], "logMarginalLikelihood": [number|null],
 *                       "testAccuracy": [number|null], "testNll": [number|null],
 *                       "hyperparameters": {name: [number|null]},
 *                       "metrics": {name: [number|null]}}           // arrays aligned with "epochs"
 * }
 * </pre>
 * Units: NLL and entropy in nats (per example; per observed label for "multiLabel"), levels in degrees (ROTATION) or
 * pixel-value standard deviations (GAUSSIAN_NOISE), all rates, accuracies and precisions as fractions in [0, 1].
 */
public final class ReportJson {
    /** Schema identifier written to the "schema" field. */
    public static final String SCHEMA = "kronlaplace-report/1";

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ReportJson() {
    }

    /**
     * The report as a JSON tree.
     *
     * @param report the report
     * @return the JSON tree of every result of the report
     */
    public static ObjectNode toTree(EvaluationReport report) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("title", report.title());
        root.put("description", report.description());
        root.put("bins", report.bins());
        ObjectNode run = root.putObject("run");
        report.runDetails().forEach(run::put);
        ObjectNode priors = root.putObject("priorPrecisions");
        report.priorPrecisions().forEach(priors::put);
        ArrayNode methods = root.putArray("methods");
        report.methods().forEach(methods::add);
        ArrayNode sets = root.putArray("evaluationSets");
        for (EvaluationSet set : report.evaluationSets()) {
            ObjectNode node = sets.addObject();
            node.put("name", set.name());
            node.put("kind", set.kind().name());
            number(node, "level", set.level());
        }
        ArrayNode classification = root.putArray("classification");
        for (ClassificationEntry entry : report.classification()) {
            classification.add(classificationNode(entry));
        }
        ArrayNode ood = root.putArray("ood");
        for (OodEntry entry : report.ood()) {
            ObjectNode node = ood.addObject();
            node.put("method", entry.method());
            node.put("inSet", entry.inSet());
            node.put("oodSet", entry.oodSet());
            node.put("score", entry.result().score().name());
            number(node, "auroc", entry.result().auroc());
            number(node, "fprAt95Tpr", entry.result().fprAt95Tpr());
            node.put("inCount", entry.result().inCount());
            node.put("outCount", entry.result().outCount());
        }
        ArrayNode regression = root.putArray("regression");
        for (RegressionEntry entry : report.regression()) {
            RegressionSummary s = entry.summary();
            ObjectNode node = regression.addObject();
            node.put("method", entry.method());
            node.put("set", entry.set());
            node.put("count", s.count());
            number(node, "rmse", s.rmse());
            number(node, "nll", s.nll());
            number(node, "logLikelihood", -s.nll());
            number(node, "coverage50", s.coverage50());
            number(node, "coverage90", s.coverage90());
            number(node, "coverage95", s.coverage95());
            ArrayNode pit = node.putArray("pitHistogram");
            for (double f : s.pitHistogram()) {
                pit.add(f);
            }
        }
        ArrayNode multiLabel = root.putArray("multiLabel");
        for (MultiLabelEntry entry : report.multiLabel()) {
            MultiLabelSummary s = entry.summary();
            ObjectNode node = multiLabel.addObject();
            node.put("method", entry.method());
            node.put("set", entry.set());
            node.put("count", s.count());
            node.put("observed", s.observed());
            number(node, "averagePrecision", s.averagePrecision());
            number(node, "nll", s.nll());
            number(node, "brier", s.brier());
        }
        if (report.training().isPresent()) {
            root.set("training", trainingNode(report.training().get()));
        } else {
            root.putNull("training");
        }
        return root;
    }

    /**
     * The report as indented JSON text.
     *
     * @param report the report
     * @return the JSON text
     */
    public static String toJson(EvaluationReport report) {
        try {
            return MAPPER.writeValueAsString(toTree(report)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise report '" + report.title() + "'", e);
        }
    }

    private static ObjectNode classificationNode(ClassificationEntry entry) {
        ClassificationSummary s = entry.summary();
        ObjectNode node = MAPPER.createObjectNode();
        node.put("method", entry.method());
        node.put("set", entry.set().name());
        node.put("kind", entry.set().kind().name());
        number(node, "level", entry.set().level());
        node.put("count", s.count());
        number(node, "accuracy", s.accuracy());
        number(node, "nll", s.nll());
        number(node, "brier", s.brier());
        number(node, "ece", s.ece());
        number(node, "mce", s.mce());
        number(node, "meanConfidence", s.meanConfidence());
        number(node, "meanEntropy", s.meanEntropy());
        ArrayNode bins = node.putArray("reliability");
        for (ReliabilityBin bin : s.reliability().bins()) {
            ObjectNode b = bins.addObject();
            number(b, "lower", bin.lower());
            number(b, "upper", bin.upper());
            b.put("count", bin.count());
            number(b, "meanConfidence", bin.meanConfidence());
            number(b, "accuracy", bin.accuracy());
        }
        return node;
    }

    private static ObjectNode trainingNode(TrainingCurves curves) {
        ObjectNode node = MAPPER.createObjectNode();
        ArrayNode epochs = node.putArray("epochs");
        curves.epochs().forEach(e -> epochs.add(e.epoch()));
        numbers(node.putArray("trainLoss"), curves.trainLoss());
        numbers(node.putArray("logMarginalLikelihood"), curves.logMarginalLikelihood());
        numbers(node.putArray("testAccuracy"), curves.testAccuracy());
        numbers(node.putArray("testNll"), curves.testNll());
        ObjectNode hyper = node.putObject("hyperparameters");
        for (String name : curves.hyperparameterNames()) {
            numbers(hyper.putArray(name), curves.hyperparameter(name));
        }
        ObjectNode metrics = node.putObject("metrics");
        for (String name : curves.metricNames()) {
            numbers(metrics.putArray(name), curves.metric(name));
        }
        return node;
    }

    private static void number(ObjectNode node, String field, double value) {
        if (Double.isFinite(value)) {
            node.put(field, value);
        } else {
            node.putNull(field);
        }
    }

    private static void numbers(ArrayNode array, double[] values) {
        for (double v : values) {
            if (Double.isFinite(v)) {
                array.add(v);
            } else {
                array.addNull();
            }
        }
    }
}
