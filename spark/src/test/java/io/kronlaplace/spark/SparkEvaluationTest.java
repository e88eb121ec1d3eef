package io.kronlaplace.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.hyperopt.MethodProbabilities;
import io.kronlaplace.hyperopt.ModelEvaluation;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.LinkApproximation;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.DistributionShift;
import io.kronlaplace.validation.data.ImageDataset;
import io.kronlaplace.validation.data.ShiftedDataset;
import io.kronlaplace.validation.metrics.ClassificationSummary;
import io.kronlaplace.validation.report.ClassificationEntry;
import io.kronlaplace.validation.report.EvaluationReport;
import io.kronlaplace.validation.report.OodEntry;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The distributed evaluation equals the single-machine {@link ModelEvaluation} in float64: the MAP, probit and MC
 * probabilities to 1e-12 and every metric of the report (classification on the clean and a rotated set, OOD
 * detection), for 1, 2 and 3 partitions, with a last batch shorter than the others.
 */
class SparkEvaluationTest {
    private static JavaSparkContext spark;

    @BeforeAll
    static void start() {
        spark = SparkContexts.create("local[2,2]", "SparkEvaluationTest");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static ImageDataset images(String name, long seed, int count) {
        Nd4j.getRandom().setSeed(seed);
        int[] labels = new int[count];
        for (int i = 0; i < count; i++) {
            labels[i] = (int) ((seed + i * 2L) % 3);
        }
        return new ImageDataset(name, Nd4j.randn(DataType.DOUBLE, count, 1, 4, 4), labels, 3);
    }

    private static ModelEvaluation evaluation(Network net) {
        return new ModelEvaluation(net, PriorPrecision.scalar(0.5), KfacFlavour.REDUCE, 3, 4, 11, line -> { });
    }

    private static double maxDifference(INDArray a, INDArray b) {
        assertEquals(List.of(a.shape()[0], a.shape()[1]), List.of(b.shape()[0], b.shape()[1]));
        return a.sub(b).amaxNumber().doubleValue();
    }

    private static void assertClose(double want, double got, String what) {
        assertTrue(Math.abs(want - got) <= 1e-12 * Math.max(1, Math.abs(want)), what + ": " + got + " vs " + want);
    }

    @Test
    void probabilitiesAndReportEqualTheSingleMachineEvaluation() {
        Network net = SparkCurvatureTest.convNet(21, DataType.DOUBLE);
        NetworkFactory factory = () -> SparkCurvatureTest.convNet(0, DataType.DOUBLE);
        ImageDataset train = images("train", 22, 10);
        ImageDataset test = images("test", 23, 7);
        List<ShiftedDataset> shifts = DistributionShift.rotations(test, 30);
        ImageDataset ood = images("noise", 24, 5);

        EvaluationReport.Builder single = EvaluationReport.builder("single");
        LaplacePosterior reference = evaluation(net).evaluate(train, test, shifts, ood, single);
        MethodProbabilities want = evaluation(net).predictor(reference).predict(test);
        EvaluationReport wantReport = single.build();

        for (int partitions = 1; partitions <= 3; partitions++) {
            SparkEvaluation distributed = new SparkEvaluation(spark, partitions);
            MethodProbabilities got = distributed.predictors(evaluation(net), factory).forPosterior(reference)
                    .predict(test);
            assertTrue(maxDifference(want.map(), got.map()) <= 1e-12, "MAP on " + partitions);
            assertTrue(maxDifference(want.probit(), got.probit()) <= 1e-12, "probit on " + partitions);
            assertTrue(maxDifference(want.monteCarlo(), got.monteCarlo()) <= 1e-12, "MC on " + partitions);

            EvaluationReport.Builder builder = EvaluationReport.builder("distributed");
            distributed.evaluate(evaluation(net), factory, train, test, shifts, ood, builder);
            EvaluationReport report = builder.build();
            assertEquals(wantReport.classification().size(), report.classification().size());
            for (int i = 0; i < wantReport.classification().size(); i++) {
                ClassificationEntry w = wantReport.classification().get(i);
                ClassificationEntry g = report.classification().get(i);
                String what = w.method() + " on " + w.set().name() + ", " + partitions + " partitions";
                assertEquals(w.method(), g.method());
                assertEquals(w.set(), g.set());
                ClassificationSummary ws = w.summary();
                ClassificationSummary gs = g.summary();
                assertEquals(ws.count(), gs.count(), what);
                assertClose(ws.accuracy(), gs.accuracy(), what + " accuracy");
                assertClose(ws.nll(), gs.nll(), what + " NLL");
                assertClose(ws.brier(), gs.brier(), what + " Brier");
                assertClose(ws.ece(), gs.ece(), what + " ECE");
                assertClose(ws.mce(), gs.mce(), what + " MCE");
                assertClose(ws.meanConfidence(), gs.meanConfidence(), what + " confidence");
                assertClose(ws.meanEntropy(), gs.meanEntropy(), what + " entropy");
            }
            // three methods, each with the max-probability and the entropy score
            assertEquals(6, report.ood().size());
            for (int i = 0; i < wantReport.ood().size(); i++) {
                OodEntry w = wantReport.ood().get(i);
                OodEntry g = report.ood().get(i);
                assertEquals(w.method(), g.method());
                assertEquals(w.result().score(), g.result().score());
                assertClose(w.result().auroc(), g.result().auroc(), w.method() + " AUROC");
                assertClose(w.result().fprAt95Tpr(), g.result().fprAt95Tpr(), w.method() + " FPR");
            }
        }
    }

    @Test
    void bridgeLinksAreRefusedWithAMessage() {
        Network net = SparkCurvatureTest.convNet(21, DataType.DOUBLE);
        ModelEvaluation bridge = evaluation(net).withPosterior(SubsetOfWeights.ALL,
                List.of(LinkApproximation.MC, LinkApproximation.BRIDGE));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparkEvaluation(spark, 1)
                .evaluate(bridge, () -> SparkCurvatureTest.convNet(0, DataType.DOUBLE), images("train", 22, 4),
                        images("test", 23, 3), List.of(), null, EvaluationReport.builder("refused")));
        assertTrue(e.getMessage().contains("PROBIT and MC links only"), e.getMessage());
    }
}
