package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.tuning.GridSearch;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The BINARY (multi-label, missing labels) posterior beyond the marginal likelihood: the probit multi-label GLM
 * predictive against the dense formula sigmoid(mu / sqrt(1 + pi/8 J P^-1 J^T)), the validation NLL over observed
 * labels, and the rejection of bad labels.
 */
class BinaryLaplaceTest {
    private static final int N = 6;

    private static INDArray labels() {
        INDArray y = Fixtures.gaussian(7, N, 2).gt(0).castTo(DataType.DOUBLE);
        y.putScalar(0, 1, Double.NaN);
        y.putScalar(3, 0, Double.NaN);
        return y;
    }

    private static LaplacePosterior fitted(Network net) {
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().structure(HessianStructure.FULL)
                .subset(SubsetOfWeights.ALL).likelihood(LikelihoodType.BINARY).prior(PriorPrecision.scalar(0.6))
                .build());
        post.fit(Fixtures.batches(Fixtures.inputs(N, 3), labels(), 4));
        return post;
    }

    @Test
    void multiLabelProbitMatchesTheDenseFormula() {
        Network net = Fixtures.mlp(2, 31);
        LaplacePosterior post = fitted(net);
        INDArray x = Fixtures.inputs(N, 3);
        double[][] ggn = Fixtures.ggn(Fixtures.jacobians(net, SubsetOfWeights.ALL, x),
                Fixtures.outputHessians(net, x, LikelihoodType.BINARY, labels()));
        DMatrixRMaj inv = Fixtures.inverse(Fixtures.precision(ggn, 1.0, post.perParameterPrior(post.priorPrecision())));
        INDArray xs = Fixtures.gaussian(99, 4, Fixtures.IN);
        double[][][] j = Fixtures.jacobians(net, SubsetOfWeights.ALL, xs);
        INDArray mean = net.forward(xs, Mode.EVAL);
        INDArray p = new GlmPredictive(post).multiLabel(xs);
        for (int n = 0; n < j.length; n++) {
            for (int a = 0; a < 2; a++) {
                double var = 0;
                for (int u = 0; u < inv.numRows; u++) {
                    for (int v = 0; v < inv.numRows; v++) {
                        var += j[n][a][u] * inv.get(u, v) * j[n][a][v];
                    }
                }
                double expected = 1 / (1 + Math.exp(-mean.getDouble(n, a) / Math.sqrt(1 + Math.PI / 8 * var)));
                assertEquals(expected, p.getDouble(n, a), 1e-7, "example " + n + " label " + a);
            }
        }
    }

    @Test
    void validationNllCountsObservedLabelsOnly() {
        Network net = Fixtures.mlp(2, 32);
        LaplacePosterior post = fitted(net);
        INDArray x = Fixtures.inputs(N, 3);
        INDArray y = labels();
        INDArray p = new GlmPredictive(post).multiLabel(x);
        double expected = 0;
        for (int n = 0; n < N; n++) {
            for (int a = 0; a < 2; a++) {
                double t = y.getDouble(n, a);
                if (!Double.isNaN(t)) {
                    expected -= Math.log(t == 1 ? p.getDouble(n, a) : 1 - p.getDouble(n, a));
                }
            }
        }
        assertEquals(expected / N, GridSearch.validationNll(post, List.of(new Batch(x, y))), 1e-12);
    }

    @Test
    void badLabelsAndNoiseAreRejected() {
        Network net = Fixtures.mlp(2, 33);
        LaplacePosterior post = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.BINARY).build());
        INDArray y = labels();
        y.putScalar(2, 1, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> post.fit(Fixtures.batches(Fixtures.inputs(N, 3), y, 4)));
        assertTrue(e.getMessage().contains("not 0, 1 or NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LaplaceOptions.builder().subset(SubsetOfWeights.ALL)
                .likelihood(LikelihoodType.BINARY).sigma(2.0).build());
    }
}
