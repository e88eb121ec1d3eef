package io.kronlaplace.hyperopt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kronlaplace.hyperopt.checkpoint.SavedModel;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.Network;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.validation.data.ChannelNormalization;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.SyntheticImages;
import io.kronlaplace.validation.metrics.ClassificationMetrics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code kronlaplace evaluate --subset/--link}: the report's Laplace rows are the library's last-layer predictive of
 * the same saved model under each link, the last layer's saved priors are the posterior's, and bad values exit 2.
 */
class EvaluateSubsetAndLinkTest {
    private static final int TRAIN = 16;
    private static final int TEST = 8;
    private static final int MC_SAMPLES = 6;

    @TempDir
    static Path dir;

    private static Path model;

    @BeforeAll
    static void trainTinyModel() {
        Path out = dir.resolve("train");
        MainTest.Run r = MainTest.run("train", "--quiet", "--train-size", String.valueOf(TRAIN), "--test-size",
                String.valueOf(TEST), "--epochs", "1", "-F", "1", "-B", "1", "-K", "2", "--aug-hypersteps", "1",
                "--aug-batch-size", "4", "--batch-size", "16", "--mc-samples", "4", "--out", out.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        model = out.resolve("model.klm");
    }

    /** Evaluates the tiny model (plain network, one batch per set) with extra arguments. */
    private static MainTest.Run evaluate(String out, String... extra) {
        List<String> args = new ArrayList<>(List.of("evaluate", "--quiet", "-m", model.toString(), "--aug-samples",
                "1", "--batch-size", "16", "--mc-samples", String.valueOf(MC_SAMPLES), "--out",
                dir.resolve(out).toString()));
        args.addAll(List.of(extra));
        return MainTest.run(args.toArray(String[]::new));
    }

    private static JsonNode cleanRow(JsonNode report, String method) {
        for (JsonNode row : report.get("classification")) {
            if (row.get("method").asText().equals(method) && row.get("set").asText().equals("synthetic-test")) {
                return row;
            }
        }
        throw new AssertionError(method + " on the clean set missing from " + report.get("classification"));
    }

    @Test
    void lastLayerRowsEqualTheLibraryPredictiveOfTheSameModel() throws Exception {
        MainTest.Run r = evaluate("last-layer", "--link", "MC,BRIDGE");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("last-layer").resolve("report.json").toFile());

        SavedModel saved = SavedModel.read(model);
        Network network = saved.network();
        ChannelNormalization norm = new ChannelNormalization(saved.normalizationMean(), saved.normalizationStd());
        SyntheticImages images = new SyntheticImages(SyntheticImages.Variant.PATTERNS, 0.1);
        ImageDataset train = norm.apply(images.generate("synthetic-train", TRAIN, 1));
        ImageDataset test = norm.apply(images.generate("synthetic-test", TEST, 2));
        // the saved priors run over all weight groups in network order; the last layer's weight and bias come last
        double[] all = saved.priorPrecisions();
        PriorPrecision lastLayer = PriorPrecision.perGroup(all[all.length - 2], all[all.length - 1]);
        LaplacePosterior posterior = Laplace.create(network, LaplaceOptions.builder()
                .subset(SubsetOfWeights.LAST_LAYER).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.CLASSIFICATION).prior(lastLayer).flavour(KfacFlavour.REDUCE).build());
        posterior.fit(train.asBatches(16));
        GlmPredictive glm = new GlmPredictive(posterior);

        INDArray map = io.kronlaplace.hyperopt.ModelEvaluation.mapProbabilities(network, test.images());
        assertNll(nll(map, test), cleanRow(report, "MAP"), "MAP");
        assertNll(nll(glm.classify(test.images(), LinkApproximation.MC, MC_SAMPLES, 0L), test),
                cleanRow(report, "Laplace (GLM MC)"), "MC");
        assertNll(nll(glm.classify(test.images(), LinkApproximation.BRIDGE, 0, 0L), test),
                cleanRow(report, "Laplace (GLM bridge)"), "bridge");
        assertTrue(report.get("classification").toString().indexOf("probit") < 0, "probit was not asked for");

        JsonNode priors = report.get("priorPrecisions");
        assertEquals(2, priors.size(), priors.toString());
        List<String> names = new ArrayList<>();
        priors.fieldNames().forEachRemaining(names::add);
        assertEquals(lastLayer.value(0), priors.get(names.get(0)).asDouble(), 0);
        assertEquals(lastLayer.value(1), priors.get(names.get(1)).asDouble(), 0);
        assertTrue(names.get(0).endsWith(".weight") && names.get(1).endsWith(".bias"), names.toString());
        assertTrue(report.get("description").asText().contains("over the last layer"),
                report.get("description").asText());
    }

    @Test
    void allWeightsKeepsEveryLayersPriorAndTheDefaultLinks() throws Exception {
        MainTest.Run r = evaluate("all", "--subset", "ALL");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonNode report = new ObjectMapper().readTree(dir.resolve("all").resolve("report.json").toFile());
        assertEquals(SavedModel.read(model).priorPrecisions().length, report.get("priorPrecisions").size());
        cleanRow(report, "Laplace (GLM MC)");
        cleanRow(report, "Laplace (GLM probit)");
        assertTrue(report.get("description").asText().contains("over all weights"));
    }

    @Test
    void badSubsetOrLinkExitsWithUsage() {
        MainTest.Run unknown = evaluate("bad-link", "--link", "MC,LOGIT");
        assertEquals(ExitCodes.USAGE, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("--link") && unknown.err().contains("LOGIT"), unknown.err());
        MainTest.Run twice = evaluate("twice", "--link", "MC,MC");
        assertEquals(ExitCodes.USAGE, twice.code(), twice.err());
        assertTrue(twice.err().contains("--link lists a link twice"), twice.err());
        MainTest.Run subnetwork = evaluate("subnetwork", "--subset", "SUBNETWORK");
        assertEquals(ExitCodes.USAGE, subnetwork.code(), subnetwork.err());
        assertTrue(subnetwork.err().contains("--subset must be ALL or LAST_LAYER"), subnetwork.err());
    }

    private static double nll(INDArray probabilities, ImageDataset data) {
        return ClassificationMetrics.negativeLogLikelihood(probabilities.toDoubleMatrix(), data.labels());
    }

    private static void assertNll(double want, JsonNode row, String what) {
        double got = row.get("nll").asDouble();
        assertEquals(want, got, 1e-9 * Math.max(1, Math.abs(want)), what + " NLL");
    }
}
