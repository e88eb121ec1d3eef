package io.kronlaplace.hyperopt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kronlaplace.linalg.SymmetricEigen;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Products with the eigenbasis form of the factor sensitivities against the dense matrices Q diag(w) Q^T. */
class FactorSensitivityTest {
    private static INDArray orthogonal(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray g = Nd4j.rand(DataType.DOUBLE, n, n);
        return SymmetricEigen.decompose(g.add(g.transpose())).vectors();
    }

    private static INDArray dense(INDArray q, double[] w) {
        INDArray d = Nd4j.zeros(DataType.DOUBLE, w.length, w.length);
        for (int i = 0; i < w.length; i++) {
            INDArray col = q.getColumn(i).reshape(w.length, 1);
            d.addi(col.mmul(col.transpose()).muli(w[i]));
        }
        return d;
    }

    /** Fewer rows than the width take the eigenbasis route, more rows the dense route: both must agree with it. */
    @ParameterizedTest
    @ValueSource(ints = {2, 5, 9})
    void productsMatchTheDenseSensitivities(int rows) {
        INDArray qa = orthogonal(5, 1);
        INDArray qb = orthogonal(3, 2);
        double[] wa = {0.5, 1.5, 2.0, 0.1, 3.0};
        double[] wb = {1.0, 0.25, 4.0};
        FactorSensitivity fs = new FactorSensitivity(qa, wa, qb, wb);
        INDArray xa = Nd4j.rand(DataType.DOUBLE, rows, 5);
        INDArray xb = Nd4j.rand(DataType.DOUBLE, rows, 3);
        assertEquals(0, xa.mmul(dense(qa, wa)).distance2(fs.timesInputFactor(xa)), 1e-12);
        assertEquals(0, xb.mmul(dense(qb, wb)).distance2(fs.timesGradientFactor(xb)), 1e-12);
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 6})
    void rejectsRowsOfTheWrongWidth(int width) {
        FactorSensitivity fs = new FactorSensitivity(orthogonal(5, 1), new double[5], orthogonal(3, 2),
                new double[3]);
        assertThrows(IllegalArgumentException.class, () -> fs.timesInputFactor(Nd4j.zeros(DataType.DOUBLE, 2, width)));
    }
}
