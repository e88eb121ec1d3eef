package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kronlaplace.curvature.CurvatureBlock;
import io.kronlaplace.curvature.CurvatureType;
import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronCurvature;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Network;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hyper-step objective against the curvature blocks' own log-determinants (which are tested against dense
 * matrices in the kfac module), and its log-precision gradient against central finite differences.
 */
class KronMarginalLikelihoodTest {
    private final Network net = TinyNets.conv(2, 3, 7, DataType.DOUBLE);
    private final INDArray images = new Init(31, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL)
            .normal(new long[] {5, 2, 6, 6}, 1.0);
    private final INDArray labels = Nd4j.createFromArray(0L, 2L, 1L, 2L, 0L);

    @ParameterizedTest
    @EnumSource(KfacFlavour.class)
    void valueMatchesTheBlockLogDeterminantsAndTheGradientMatchesFiniteDifferences(KfacFlavour flavour) {
        KfacEstimator estimator = new KfacEstimator(net, new CrossEntropy(), KfacOptions.builder().flavour(flavour)
                .curvatureType(CurvatureType.GGN).build());
        estimator.accumulate(images, labels);
        Map<String, KronFactors> factors = estimator.factors();
        PriorGroups groups = new PriorGroups(net, PriorStructure.LAYERWISE, 1.0);
        double[] logDelta = new double[groups.size()];
        for (int g = 0; g < logDelta.length; g++) {
            logDelta[g] = -2.0 + 0.9 * g;
        }
        double logLik = -3.7;
        KronMarginalLikelihood marglik = KronMarginalLikelihood.fit(net, factors, logLik, groups);

        List<CurvatureBlock> blocks = KronCurvature.blocks(net, factors);
        List<String> learned = groups.learnedParameters();
        double expected = logLik;
        for (int i = 0; i < blocks.size(); i++) {
            double delta = Math.exp(logDelta[groups.groupOf(i)]);
            INDArray theta = net.parameter(learned.get(i)).value();
            double squaredNorm = theta.mul(theta).sumNumber().doubleValue();
            expected += -0.5 * delta * squaredNorm + 0.5 * theta.length() * Math.log(delta)
                    - 0.5 * blocks.get(i).logDet(1.0, delta);
        }
        MarglikValue value = marglik.evaluate(logDelta);
        assertEquals(expected, value.value(), 1e-9 * Math.abs(expected));

        double h = 1e-5;
        for (int g = 0; g < logDelta.length; g++) {
            double[] plus = logDelta.clone();
            double[] minus = logDelta.clone();
            plus[g] += h;
            minus[g] -= h;
            double fd = (marglik.evaluate(plus).value() - marglik.evaluate(minus).value()) / (2 * h);
            assertEquals(fd, value.logPriorGradient()[g], 1e-6 * Math.max(1.0, Math.abs(fd)), "group " + g);
        }
    }
}
