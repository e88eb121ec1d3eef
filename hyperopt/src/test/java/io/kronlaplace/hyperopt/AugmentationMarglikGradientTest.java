package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.hyperopt.augment.AffineAugmentation;
import io.kronlaplace.hyperopt.augment.AugmentationNoise;
import io.kronlaplace.hyperopt.augment.InvariantModel;
import io.kronlaplace.laplace.FitStatistics;
import io.kronlaplace.laplace.KronLaplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The exact eta-gradient of the K-FAC marginal likelihood against central finite differences (noise fixed). */
class AugmentationMarglikGradientTest {
    private static final int M = 4;
    private static final int S = 3;
    /** Weight and bias of each of the three layers. */
    private static final int GROUPS = 6;

    private final Network net = TinyNets.conv(2, 3, 7, DataType.DOUBLE);
    private final INDArray images = new Init(21, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL)
            .normal(new long[] {M, 2, 6, 6}, 1.0);
    private final INDArray labels = Nd4j.createFromArray(0L, 2L, 1L, 2L);
    private final AugmentationNoise noise = AugmentationNoise.draw(M, S, 5L);
    private final CrossEntropy ce = new CrossEntropy();

    private double logMarglik(double[] eta, KfacFlavour flavour, CurvatureType type, PriorPrecision prior) {
        return fit(eta, flavour, type, prior).logMarginalLikelihood();
    }

    private KronLaplace fit(double[] eta, KfacFlavour flavour, CurvatureType type, PriorPrecision prior) {
        AffineAugmentation aug = new AffineAugmentation(eta);
        INDArray augmented = aug.apply(images, noise);
        KfacEstimator estimator = new KfacEstimator(net, ce, KfacOptions.builder().flavour(flavour)
                .curvatureType(type).sharedRowsPerExample(S).build());
        estimator.accumulate(augmented, labels);
        double dataTerm = ce.loss(InvariantModel.average(net.forward(augmented, Mode.EVAL), S), labels, Reduction.SUM);
        LaplaceOptions options = LaplaceOptions.builder().subset(SubsetOfWeights.ALL).prior(prior).flavour(flavour).curvatureType(type)
                .sharedRowsPerExample(S).build();
        return KronLaplace.fromFactors(net, options, estimator.factors(), new FitStatistics(M, 3, dataTerm));
    }

    @ParameterizedTest
    @CsvSource({"REDUCE, GGN, 0:1:2:3:4:5", "EXPAND, GGN, 0:2:3", "REDUCE, EMPIRICAL_FISHER, 2:4"})
    void matchesCentralFiniteDifferences(KfacFlavour flavour, CurvatureType type, String components) {
        double[] deltas = new double[GROUPS];
        for (int i = 0; i < deltas.length; i++) {
            deltas[i] = Math.exp(-1.0 + 0.4 * i);
        }
        PriorPrecision prior = PriorPrecision.perGroup(deltas);
        double[] eta = {0.12, -0.08, 0.35, 0.1, -0.15, 0.07};
        KronLaplace marglik = fit(eta, flavour, type, prior);
        double[] exact = new AugmentationMarglikGradient(net, ce, flavour, type)
                .compute(marglik, prior, new AffineAugmentation(eta), noise, images, labels, M);
        // small steps: the bilinear resampling and ReLU are only piecewise smooth, larger steps can cross a kink
        double h = 1e-6;
        int[] checked = Arrays.stream(components.split(":")).mapToInt(Integer::parseInt).toArray();
        double[] fd = new double[eta.length];
        for (int k : checked) {
            double[] plus = eta.clone();
            double[] minus = eta.clone();
            plus[k] += h;
            minus[k] -= h;
            fd[k] = (logMarglik(plus, flavour, type, prior) - logMarglik(minus, flavour, type, prior)) / (2 * h);
        }
        double scale = Arrays.stream(fd).map(Math::abs).max().orElse(1);
        for (int k : checked) {
            assertTrue(Math.abs(exact[k] - fd[k]) < 1e-6 * scale + 1e-8,
                    "eta_" + k + ": exact " + Arrays.toString(exact) + " vs finite differences " + Arrays.toString(fd));
        }
    }

    @ParameterizedTest
    @CsvSource({"REDUCE, GGN", "EXPAND, GGN", "REDUCE, EMPIRICAL_FISHER"})
    void chunksOfExamplesGiveTheWholeBatchGradient(KfacFlavour flavour, CurvatureType type) {
        PriorPrecision prior = PriorPrecision.perGroup(1, 1, 1, 1, 1, 1);
        double[] eta = {0.12, -0.08, 0.35, 0.1, -0.15, 0.07};
        KronLaplace marglik = fit(eta, flavour, type, prior);
        AugmentationMarglikGradient gradient = new AugmentationMarglikGradient(net, ce, flavour, type);
        AffineAugmentation aug = new AffineAugmentation(eta);
        long n = 50;
        double[] whole = gradient.compute(marglik, prior, aug, noise, images, labels, n, M * S);
        double scale = Arrays.stream(whole).map(Math::abs).max().orElse(1);
        // one example per chunk, and chunks of 3 + 1 examples (rows per chunk not a multiple of S)
        for (int rowsPerChunk : new int[] {1, 3 * S + 2}) {
            double[] chunked = gradient.compute(marglik, prior, aug, noise, images, labels, n, rowsPerChunk);
            for (int k = 0; k < whole.length; k++) {
                assertTrue(Math.abs(chunked[k] - whole[k]) < 1e-10 * scale, "rows per chunk " + rowsPerChunk
                        + ": " + Arrays.toString(chunked) + " vs whole batch " + Arrays.toString(whole));
            }
        }
    }

    @Test
    void rejectsMismatchedLabelsAndEmptyChunks() {
        PriorPrecision prior = PriorPrecision.perGroup(1, 1, 1, 1, 1, 1);
        double[] eta = {0.1, 0, 0.2, 0, 0, 0};
        KronLaplace marglik = fit(eta, KfacFlavour.REDUCE, CurvatureType.GGN, prior);
        AugmentationMarglikGradient gradient = new AugmentationMarglikGradient(net, ce, KfacFlavour.REDUCE,
                CurvatureType.GGN);
        AffineAugmentation aug = new AffineAugmentation(eta);
        IllegalArgumentException labelsError = assertThrows(IllegalArgumentException.class, () -> gradient.compute(
                marglik, prior, aug, noise, images, Nd4j.createFromArray(0L, 1L), M));
        assertTrue(labelsError.getMessage().contains("labels"), labelsError.getMessage());
        IllegalArgumentException chunkError = assertThrows(IllegalArgumentException.class, () -> gradient.compute(
                marglik, prior, aug, noise, images, labels, M, 0));
        assertTrue(chunkError.getMessage().contains("rows per chunk"), chunkError.getMessage());
    }
}
