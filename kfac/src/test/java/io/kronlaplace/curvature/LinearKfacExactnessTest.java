package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * docs/kfac.md, section Exactness, for Linear layers with a sharing axis (N x R x D): EXPAND equals the exact GGN block
 * of every layer when each position has its own MSE term; REDUCE equals it when positions are mean-pooled before the
 * loss; each flavour is measurably wrong in the other's setting. Kronecker products are compared with the dense GGN
 * from finite-difference Jacobians.
 */
class LinearKfacExactnessTest {
    private static final long N = 3;
    private static final long R = 4;

    static Network deepLinear(boolean pooled, long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        Sequential s = new Sequential(new Linear(3, 4, true, init), new Linear(4, 3, true, init),
                new Linear(3, 2, true, init));
        s.add(pooled ? new TestModules.MeanPool(true) : new TestModules.FlattenAll());
        return new Network(s);
    }

    static INDArray inputs(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, N, R, 3);
    }

    private static Map<String, KronFactors> factors(Network net, INDArray x, KfacFlavour flavour) {
        KfacEstimator est = new KfacEstimator(net, new Gaussian(1.0),
                KfacOptions.builder().flavour(flavour).build());
        est.accumulate(x, null);
        assertEquals(N, est.examplesSeen());
        return est.factors();
    }

    /** Largest relative error of any block (weights and biases) against the dense GGN. */
    static double worstBlockError(Network net, Map<String, KronFactors> factors, INDArray ggn) {
        List<CurvatureBlock> blocks = KronCurvature.blocks(net, factors);
        assertEquals(net.parameters().size(), blocks.size());
        double worst = 0;
        for (CurvatureBlock block : blocks) {
            INDArray exact = DenseReference.block(net, ggn, block.name());
            worst = Math.max(worst, relativeError(block.dense(), exact));
        }
        return worst;
    }

    @Test
    void expandIsExactWithPerPositionLossAndReduceIsNot() {
        Network net = deepLinear(false, 1);
        INDArray x = inputs(2);
        INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::mseHessian);
        Map<String, KronFactors> expand = factors(net, x, KfacFlavour.EXPAND);
        for (KronFactors f : expand.values()) {
            INDArray product = DenseReference.kron(f.b(), f.a());
            INDArray exact = DenseReference.block(net, ggn, f.layerPath() + ".weight");
            assertTrue(relativeError(product, exact) < 1e-7, f.layerPath() + ": " + relativeError(product, exact));
        }
        assertTrue(worstBlockError(net, expand, ggn) < 1e-7);
        double reduceError = worstBlockError(net, factors(net, x, KfacFlavour.REDUCE), ggn);
        assertTrue(reduceError > 1e-2, "REDUCE must not be exact with per-position losses, error " + reduceError);
    }

    @Test
    void reduceIsExactWithPooledLossAndExpandIsNot() {
        Network net = deepLinear(true, 3);
        INDArray x = inputs(4);
        INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::mseHessian);
        Map<String, KronFactors> reduce = factors(net, x, KfacFlavour.REDUCE);
        for (KronFactors f : reduce.values()) {
            INDArray product = DenseReference.kron(f.b(), f.a());
            INDArray exact = DenseReference.block(net, ggn, f.layerPath() + ".weight");
            assertTrue(relativeError(product, exact) < 1e-7, f.layerPath() + ": " + relativeError(product, exact));
        }
        assertTrue(worstBlockError(net, reduce, ggn) < 1e-7);
        double expandError = worstBlockError(net, factors(net, x, KfacFlavour.EXPAND), ggn);
        assertTrue(expandError > 1e-2, "EXPAND must not be exact with pooled losses, error " + expandError);
    }

    @Test
    void reduceOverSharedRowsIsExactWhenTheLikelihoodSeesTheirMeanOutput() {
        int shared = 2;
        Network net = deepLinear(true, 5);
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(DataType.DOUBLE, N * shared, R, 3);
        INDArray ggn = DenseReference.ggn(net, x, shared, DenseReference::mseHessian);
        KfacEstimator est = new KfacEstimator(net, new Gaussian(1.0),
                KfacOptions.builder().flavour(KfacFlavour.REDUCE).sharedRowsPerExample(shared).build());
        est.accumulate(x, null);
        assertEquals(N, est.examplesSeen());
        assertTrue(worstBlockError(net, est.factors(), ggn) < 1e-7);
        KfacEstimator unshared = new KfacEstimator(net, new Gaussian(1.0), KfacOptions.defaults());
        unshared.accumulate(x, null);
        double error = worstBlockError(net, unshared.factors(), ggn);
        assertTrue(error > 1e-2, "ignoring the shared rows must not match, error " + error);
    }

    @Test
    void rankTwoInputsMakeTheFlavoursAgreeAndExact() {
        Init init = new Init(7, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        Network net = new Network(new Sequential(new Linear(3, 4, true, init), new Linear(4, 2, false, init)));
        Nd4j.getRandom().setSeed(8);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 1, 3);
        INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::mseHessian);
        for (KfacFlavour flavour : KfacFlavour.values()) {
            KfacEstimator est = new KfacEstimator(net, new Gaussian(1.0),
                    KfacOptions.builder().flavour(flavour).build());
            est.accumulate(x, null);
            assertTrue(worstBlockError(net, est.factors(), ggn) < 1e-7, flavour.toString());
        }
    }
}
