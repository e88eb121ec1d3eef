package io.kronlaplace.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Flatten;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.optim.KfacOptimizer;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The K-FAC engines run every kernel operation on the kernels their options name: with the counting test backend
 * selected, each rank update, mirror and eigendecomposition is counted, and the factors equal the CPU's.
 */
class KernelRoutingTest {
    private CountingKernels counting;

    @BeforeEach
    void resetCounters() {
        counting = (CountingKernels) ComputeDevices.named(CountingKernels.NAME);
        counting.reset();
    }

    private static Network mlp() {
        Init init = new Init(5, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        return new Network(new Sequential(new Linear(3, 5, true, init), new ReLU(), new Linear(5, 2, true, init)));
    }

    private static INDArray inputs(long... shape) {
        Nd4j.getRandom().setSeed(9);
        return Nd4j.randn(DataType.DOUBLE, shape);
    }

    @Test
    void theEstimatorUpdatesMirrorsAndDecomposesOnItsKernels() {
        Network net = mlp();
        KfacOptions options = KfacOptions.builder().device(CountingKernels.NAME).build();
        KfacEstimator estimator = new KfacEstimator(net, new CrossEntropy(), options);
        assertSame(counting, estimator.kernels());
        estimator.accumulate(inputs(4, 3), null);
        assertEquals(4, counting.transposeProducts.get(), "A and B of two layers");
        Map<String, KronFactors> factors = estimator.factors();
        assertEquals(4, counting.mirrors.get());
        estimator.decompositions();
        assertEquals(1, counting.batchedDecompositions.get(), "all factors in one batch");

        KfacEstimator cpu = new KfacEstimator(net, new CrossEntropy(), options.toBuilder().device("cpu").build());
        cpu.accumulate(inputs(4, 3), null);
        cpu.factors().forEach((path, f) -> {
            assertEquals(f.a(), factors.get(path).a(), path);
            assertEquals(f.b(), factors.get(path).b(), path);
        });
    }

    @Test
    void expandConvolutionFactorsUseThePerExampleUpdate() {
        Init init = new Init(6, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        Network net = new Network(new Sequential(new Conv2d(2, 3, 2, 2, 0, true, init), new Flatten(),
                new Linear(12, 2, true, init)));
        KfacEstimator estimator = new KfacEstimator(net, new CrossEntropy(),
                KfacOptions.builder().flavour(KfacFlavour.EXPAND).device(CountingKernels.NAME).build());
        estimator.accumulate(inputs(2, 2, 4, 4), null);
        // a strided convolution unfolds: one call for A's stack of 2 examples, one for B's of 4 back-propagated
        // vectors (2 Hessian-root columns each)
        assertEquals(2, counting.stackedProducts.get());
        assertEquals(0, counting.gemms.get());
    }

    @Test
    void expandStrideOneConvolutionFormsItsInputGramOnTheOptionsKernels() {
        Init init = new Init(6, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        Network net = new Network(new Sequential(new Conv2d(2, 3, 2, 1, 0, true, init), new Flatten(),
                new Linear(27, 2, true, init)));
        KfacOptions options = KfacOptions.builder().flavour(KfacFlavour.EXPAND).device(CountingKernels.NAME).build();
        KfacEstimator estimator = new KfacEstimator(net, new CrossEntropy(), options);
        estimator.accumulate(inputs(2, 2, 4, 4), null);
        // A from shifted products of the image, never unfolded; B still one stacked update
        assertEquals(1, counting.stackedProducts.get());
        assertTrue(counting.gemms.get() > 0);
        Map<String, KronFactors> factors = estimator.factors();

        KfacEstimator cpu = new KfacEstimator(net, new CrossEntropy(), options.toBuilder().device("cpu").build());
        cpu.accumulate(inputs(2, 2, 4, 4), null);
        cpu.factors().forEach((path, f) -> {
            assertEquals(f.a(), factors.get(path).a(), path);
            assertEquals(f.b(), factors.get(path).b(), path);
        });
    }

    @Test
    void theOptimizerDecomposesItsRunningFactorsOnTheOptionsKernels() {
        Network net = mlp();
        CrossEntropy likelihood = new CrossEntropy();
        KfacOptimizer kfac = KfacOptimizer.builder(net, likelihood).learningRate(0.1).inverseUpdateInterval(1)
                .kfacOptions(KfacOptions.builder().device(CountingKernels.NAME).build()).build();
        INDArray x = inputs(4, 3);
        INDArray y = Nd4j.createFromArray(0, 1, 1, 0);
        net.zeroGrad();
        INDArray f = net.forward(x, Mode.TRAIN);
        net.backward(likelihood.gradient(f, y, Reduction.MEAN), BackwardContext.training());
        kfac.step(x, y);
        assertEquals(4, counting.decompositions.get(), "A and B of two layers");
        assertEquals(4, counting.transposeProducts.get());
    }
}
