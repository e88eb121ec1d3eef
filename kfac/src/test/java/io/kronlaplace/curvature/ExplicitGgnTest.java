package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** DenseGgn and DiagonalGgn against the finite-difference GGN; KronCurvature's coverage of parameters. */
class ExplicitGgnTest {

    private static Network net() {
        Init init = new Init(41, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        return new Network(new Sequential(new Conv2d(2, 2, 3, 1, 1, true, init), new ReLU(),
                new TestModules.MeanPool(false), new Linear(2, 3, true, init)));
    }

    private static INDArray images() {
        Nd4j.getRandom().setSeed(42);
        return Nd4j.randn(DataType.DOUBLE, 3, 2, 4, 4);
    }

    @Test
    void denseAndDiagonalGgnMatchFiniteDifferences() {
        Network net = net();
        INDArray x = images();
        INDArray ggn = DenseReference.ggn(net, x, 1, DenseReference::crossEntropyHessian);
        INDArray dense = DenseGgn.matrix(net, new CrossEntropy(), x, null, KfacOptions.defaults(), null);
        assertTrue(relativeError(dense, ggn) < 1e-7, "dense " + relativeError(dense, ggn));
        Map<String, INDArray> diag = DiagonalGgn.diagonals(net, new CrossEntropy(), x, null, KfacOptions.defaults(),
                List.of("3.weight", "0.bias"));
        assertEquals(List.of("0.bias", "3.weight"), List.copyOf(diag.keySet()), "network order");
        for (var e : diag.entrySet()) {
            INDArray exact = Nd4j.diag(DenseReference.block(net, ggn, e.getKey()));
            assertTrue(relativeError(e.getValue(), exact.reshape(exact.length())) < 1e-7, e.getKey());
        }
        DenseBlock lastLayer = DenseGgn.block(net, new CrossEntropy(), x, null, KfacOptions.defaults(),
                List.of("3.weight", "3.bias"));
        assertEquals("3.weight,3.bias", lastLayer.name());
        assertEquals(9, lastLayer.dim());
        assertTrue(net.flatGradients().norm2Number().doubleValue() == 0, "gradients are left zeroed");
    }

    @Test
    void monteCarloDiagonalConvergesToTheExactDiagonal() {
        Init init = new Init(43, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL);
        Network mlp = new Network(new Sequential(new Linear(3, 4, true, init), new ReLU(),
                new Linear(4, 3, true, init)));
        Nd4j.getRandom().setSeed(44);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 1, 3);
        KfacOptions mc = KfacOptions.builder().curvatureType(CurvatureType.MC_FISHER).mcSamples(400).seed(9).build();
        INDArray exact = DiagonalGgn.diagonals(mlp, new CrossEntropy(), x, null, KfacOptions.defaults(), null)
                .get("2.weight");
        INDArray sampled = DiagonalGgn.diagonals(mlp, new CrossEntropy(), x, null, mc, null).get("2.weight");
        INDArray single = DiagonalGgn.diagonals(mlp, new CrossEntropy(), x, null,
                mc.toBuilder().mcSamples(1).build(), null).get("2.weight");
        double e = relativeError(sampled, exact);
        assertTrue(e < 0.2, "MC diagonal error with 400 samples " + e);
        assertTrue(relativeError(single, exact) > e, "one sample should be further off");
    }

    @Test
    void kronCurvatureCoversWeightsAndBiasesInNetworkOrder() {
        Network net = net();
        KfacEstimator est = new KfacEstimator(net, new CrossEntropy(), KfacOptions.defaults());
        est.accumulate(images(), null);
        List<CurvatureBlock> blocks = KronCurvature.blocks(net, est.factors());
        assertEquals(List.copyOf(net.parameters().keySet()), blocks.stream().map(CurvatureBlock::name).toList());
        assertEquals(List.of(), KronCurvature.excludedParameters(net));
        assertEquals(net.numParameters(), KronCurvature.operator(net, est.factors()).dim());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> KronCurvature.blocks(net, Map.of("0", est.factors().get("0"))));
        assertTrue(missing.getMessage().contains("'3'"), missing.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> DenseGgn.matrix(net, new CrossEntropy(), images(), null, KfacOptions.defaults(),
                        List.of("nope.weight")));
        assertTrue(unknown.getMessage().contains("nope.weight"), unknown.getMessage());
    }
}
