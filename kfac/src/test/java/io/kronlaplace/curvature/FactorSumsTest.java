package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.likelihood.CrossEntropy;
import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Raw factor sums over parts of the data add up to the factors of one pass; the MC Fisher labels of a batch depend
 * only on the seed and the batch's index, not on which estimator accumulates it.
 */
class FactorSumsTest {

    private static Network mlp(long seed) {
        Init init = new Init(seed, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        return new Network(new Sequential(new Linear(3, 5, true, init), new ReLU(), new Linear(5, 3, true, init)));
    }

    private static INDArray rows(INDArray x, long from, long to) {
        return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
    }

    @Test
    void sumsOfASingleLinearLayerNormaliseToTheDenseGgnBlock() {
        // one Linear layer under unit Gaussian noise: the GGN weight block is I (x) sum_n x_n x_n^T exactly
        Init init = new Init(3, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL);
        Network net = new Network(new Linear(3, 2, false, init));
        Nd4j.getRandom().setSeed(4);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 7, 3);
        KfacEstimator first = new KfacEstimator(net, new Gaussian(1.0), KfacOptions.defaults());
        first.accumulate(rows(x, 0, 3), null, 0);
        KfacEstimator second = new KfacEstimator(net, new Gaussian(1.0), KfacOptions.defaults());
        second.accumulate(rows(x, 3, 7), null, 1);
        FactorSums sum = first.sums().get("").plus(second.sums().get(""));
        assertEquals(7, sum.aCount());
        KronFactors f = sum.factors(ComputeDevices.named(ComputeDevices.CPU));
        INDArray dense = DenseReference.kron(Nd4j.eye(2).castTo(DataType.DOUBLE), x.transpose().mmul(x));
        assertTrue(relativeError(DenseReference.kron(f.b(), f.a()), dense) < 1e-12);
        // normalised inside a caller's workspace too, and closing frees the factors of the sums at once
        try (io.kronlaplace.nn.StepWorkspace ignored = io.kronlaplace.nn.StepWorkspace.open("factor-sums-test")) {
            KronFactors inside = sum.factors(ComputeDevices.named(ComputeDevices.CPU));
            assertEquals(0.0, relativeError(f.a(), inside.a()));
            INDArray a = inside.aView();
            inside.close();
            assertTrue(a.wasClosed());
        }
        io.kronlaplace.nn.StepWorkspace.release("factor-sums-test");
    }

    @Test
    void sumsOverPartsEqualOnePassForEveryCurvatureTypeAndFlavour() {
        Network net = mlp(5);
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 12, 3);
        INDArray y = Nd4j.createFromArray(new long[] {0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 1, 2});
        for (CurvatureType type : CurvatureType.values()) {
            for (KfacFlavour flavour : KfacFlavour.values()) {
                KfacOptions options = KfacOptions.builder().curvatureType(type).flavour(flavour).seed(17).build();
                KfacEstimator whole = new KfacEstimator(net, new CrossEntropy(), options);
                for (int b = 0; b < 4; b++) {
                    whole.accumulate(rows(x, 3L * b, 3L * b + 3), y.get(NDArrayIndex.interval(3 * b, 3 * b + 3)));
                }
                KfacEstimator head = new KfacEstimator(net, new CrossEntropy(), options);
                head.accumulate(rows(x, 0, 3), y.get(NDArrayIndex.interval(0, 3)));
                KfacEstimator tail = new KfacEstimator(net, new CrossEntropy(), options);
                for (int b = 1; b < 4; b++) {
                    tail.accumulate(rows(x, 3L * b, 3L * b + 3), y.get(NDArrayIndex.interval(3 * b, 3 * b + 3)), b);
                }
                Map<String, KronFactors> expected = whole.factors();
                for (String layer : expected.keySet()) {
                    KronFactors combined = head.sums().get(layer).plus(tail.sums().get(layer))
                            .factors(whole.kernels());
                    String what = type + " " + flavour + " " + layer;
                    assertTrue(relativeError(combined.a(), expected.get(layer).a()) < 1e-12, what);
                    assertTrue(relativeError(combined.b(), expected.get(layer).b()) < 1e-12, what);
                }
            }
        }
    }

    @Test
    void batchSeedsDifferPerBatchAndDoNotShiftOneStream() {
        assertEquals(KfacEstimator.batchSeed(9, 4), KfacEstimator.batchSeed(9, 4));
        assertNotEquals(KfacEstimator.batchSeed(9, 4), KfacEstimator.batchSeed(9, 5));
        assertNotEquals(KfacEstimator.batchSeed(9, 0), KfacEstimator.batchSeed(10, 0));
        assertEquals(new java.util.SplittableRandom(9).nextLong(), KfacEstimator.batchSeed(9, 0));
    }

    @Test
    void sumsSurviveJavaSerialisation() throws Exception {
        Network net = mlp(7);
        Nd4j.getRandom().setSeed(8);
        KfacEstimator est = new KfacEstimator(net, new CrossEntropy(), KfacOptions.defaults());
        est.accumulate(Nd4j.randn(DataType.DOUBLE, 4, 3), null);
        FactorSums original = est.sums().values().iterator().next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(original);
        }
        FactorSums copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (FactorSums) in.readObject();
        }
        KronFactors a = original.factors(est.kernels());
        KronFactors b = copy.factors(est.kernels());
        assertEquals(0.0, a.a().sub(b.a()).norm2Number().doubleValue());
        assertEquals(0.0, a.b().sub(b.b()).norm2Number().doubleValue());
    }

    @Test
    void badInputGivesClearErrors() {
        Network net = mlp(9);
        KfacEstimator est = new KfacEstimator(net, new CrossEntropy(), KfacOptions.defaults());
        IllegalStateException empty = assertThrows(IllegalStateException.class, est::sums);
        assertTrue(empty.getMessage().contains("no data"), empty.getMessage());
        IllegalArgumentException index = assertThrows(IllegalArgumentException.class,
                () -> est.accumulate(Nd4j.zeros(DataType.DOUBLE, 2, 3), null, -1));
        assertTrue(index.getMessage().contains("batch index"), index.getMessage());
        est.accumulate(Nd4j.ones(DataType.DOUBLE, 2, 3), null);
        Map<String, FactorSums> sums = est.sums();
        FactorSums first = sums.get("0");
        FactorSums last = sums.get("2");
        IllegalArgumentException layers = assertThrows(IllegalArgumentException.class, () -> first.plus(last));
        assertTrue(layers.getMessage().contains("'2'") && layers.getMessage().contains("'0'"), layers.getMessage());
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> new FactorSums("x", KfacFlavour.REDUCE, 2, 1, new double[3], new double[1], 1));
        assertTrue(size.getMessage().contains("do not fill"), size.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> new FactorSums("x", KfacFlavour.REDUCE, 1, 1, new double[1], new double[1], 0));
        assertTrue(count.getMessage().contains("count"), count.getMessage());
    }
}
