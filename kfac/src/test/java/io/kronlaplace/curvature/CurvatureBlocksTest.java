package io.kronlaplace.curvature;

import static io.kronlaplace.curvature.DenseReference.relativeError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Verification item 6 of docs/kfac.md (section Verification): every block type's mvp, log-determinant, trace of the
 * damped inverse, damped inverse and inverse square root against dense matrices (inverse and determinant by EJML LU),
 * and BlockDiagonalOperator.
 */
class CurvatureBlocksTest {
    private static final double SCALE = 0.7;
    private static final double DELTA = 0.3;

    private static INDArray spd(int n, long seed, boolean singular) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.randn(DataType.DOUBLE, n, singular ? n - 1 : n + 1);
        return x.mmul(x.transpose());
    }

    private static INDArray vector(long n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n);
    }

    private static DMatrixRMaj ejml(INDArray m) {
        return new DMatrixRMaj(Math.toIntExact(m.size(0)), Math.toIntExact(m.size(1)), true,
                m.dup('c').data().asDouble());
    }

    private static INDArray damped(INDArray h) {
        return h.mul(SCALE).addi(Nd4j.eye(h.size(0)).castTo(DataType.DOUBLE).muli(DELTA));
    }

    /** Checks a block against its dense matrix h computed independently. */
    private static void checkAgainstDense(CurvatureBlock block, INDArray h) {
        long n = h.size(0);
        assertEquals(n, block.dim());
        assertTrue(relativeError(block.dense(), h) < 1e-10, "dense()");
        INDArray v = vector(n, 99);
        assertTrue(relativeError(block.mvp(v), h.mmul(v.reshape(n, 1)).reshape(n)) < 1e-10, "mvp");
        DMatrixRMaj p = ejml(damped(h));
        assertEquals(Math.log(CommonOps_DDRM.det(p)), block.logDet(SCALE, DELTA), 1e-9, "logDet");
        DMatrixRMaj inv = new DMatrixRMaj(p.numRows, p.numCols);
        assertTrue(CommonOps_DDRM.invert(p, inv));
        assertEquals(CommonOps_DDRM.trace(inv), block.traceDampedInverse(SCALE, DELTA), 1e-9, "trace");
        INDArray invDense = Nd4j.create(inv.getData(), new long[] {n, n}, 'c');
        INDArray expected = invDense.mmul(v.reshape(n, 1)).reshape(n);
        assertTrue(relativeError(block.dampedInverseMvp(v, SCALE, DELTA), expected) < 1e-10, "inverse mvp");
        INDArray root = block.dampedInverseSqrtMvp(block.dampedInverseSqrtMvp(v, SCALE, DELTA), SCALE, DELTA);
        assertTrue(relativeError(root, expected) < 1e-10, "inverse sqrt squared");
        INDArray u = vector(n, 98);
        double left = u.mul(block.dampedInverseSqrtMvp(v, SCALE, DELTA)).sumNumber().doubleValue();
        double right = v.mul(block.dampedInverseSqrtMvp(u, SCALE, DELTA)).sumNumber().doubleValue();
        assertEquals(left, right, 1e-10, "the inverse square root is symmetric");
        INDArray eig = block.eigenvalues();
        assertEquals(n, eig.length());
        assertTrue(eig.minNumber().doubleValue() >= 0);
        double trace = 0;
        for (long i = 0; i < n; i++) {
            trace += h.getDouble(i, i);
        }
        assertEquals(trace, eig.sumNumber().doubleValue(), 1e-9, "eigenvalues sum to the trace");
    }

    private static KronDecomposition decomposition(boolean singular) {
        KronFactors f = new KronFactors("fc", spd(3, 1, singular), spd(4, 2, false), KfacFlavour.REDUCE);
        return KronDecomposition.of(f);
    }

    @Test
    void kronBlockMatchesTheDenseKroneckerProduct() {
        for (boolean singular : new boolean[] {false, true}) {
            KronFactors f = new KronFactors("fc", spd(3, 1, singular), spd(4, 2, false), KfacFlavour.REDUCE);
            KronBlock block = new KronBlock("fc.weight", KronDecomposition.of(f));
            checkAgainstDense(block, DenseReference.kron(f.b(), f.a()));
            INDArray w = vector(12, 5);
            INDArray bwa = f.b().mmul(w.reshape(4, 3)).mmul(f.a()).reshape(12);
            assertTrue(relativeError(block.mvp(w), bwa) < 1e-10, "H vec(W) = vec(B W A) for row-major vec");
        }
    }

    @Test
    void biasBlockIsTheGradientFactor() {
        KronDecomposition d = decomposition(false);
        KronFactors f = new KronFactors("fc", spd(3, 1, false), spd(4, 2, false), KfacFlavour.REDUCE);
        checkAgainstDense(new KronBiasBlock("fc.bias", d), f.b());
    }

    @Test
    void diagonalAndDenseBlocksMatchTheirMatrices() {
        INDArray diag = Nd4j.createFromArray(0.0, 1.5, 2.0, 0.25);
        checkAgainstDense(new DiagonalBlock("bn.weight", diag), Nd4j.diag(diag));
        INDArray h = spd(5, 3, true);
        checkAgainstDense(new DenseBlock("fc.weight,fc.bias", h), h);
    }

    @Test
    void blockDiagonalOperatorCombinesBlocksWithTheirOwnDeltas() {
        KronFactors f = new KronFactors("fc", spd(2, 4, false), spd(3, 5, false), KfacFlavour.EXPAND);
        KronDecomposition d = KronDecomposition.of(f);
        INDArray diag = Nd4j.createFromArray(1.0, 0.0);
        List<CurvatureBlock> blocks = List.of(new KronBlock("fc.weight", d), new KronBiasBlock("fc.bias", d),
                new DiagonalBlock("s", diag));
        BlockDiagonalOperator op = new BlockDiagonalOperator(blocks);
        assertEquals(11, op.dim());
        INDArray dense = Nd4j.zeros(DataType.DOUBLE, 11, 11);
        dense.get(interval(0, 6), interval(0, 6)).assign(DenseReference.kron(f.b(), f.a()));
        dense.get(interval(6, 9), interval(6, 9)).assign(f.b());
        dense.get(interval(9, 11), interval(9, 11)).assign(Nd4j.diag(diag));
        assertTrue(relativeError(op.dense(), dense) < 1e-10);
        INDArray v = vector(11, 6);
        assertTrue(relativeError(op.mvp(v), dense.mmul(v.reshape(11, 1)).reshape(11)) < 1e-10);
        double[] deltas = {0.5, 2.0, 1.5};
        INDArray deltaDiag = Nd4j.zeros(DataType.DOUBLE, 11, 11);
        for (int i = 0; i < 11; i++) {
            deltaDiag.putScalar(i, i, i < 6 ? 0.5 : i < 9 ? 2.0 : 1.5);
        }
        DMatrixRMaj p = ejml(dense.mul(SCALE).addi(deltaDiag));
        assertEquals(Math.log(CommonOps_DDRM.det(p)), op.logDet(SCALE, deltas), 1e-9);
        DMatrixRMaj inv = new DMatrixRMaj(11, 11);
        CommonOps_DDRM.invert(p, inv);
        INDArray invDense = Nd4j.create(inv.getData(), new long[] {11, 11}, 'c');
        assertEquals(CommonOps_DDRM.trace(inv), op.traceDampedInverse(SCALE, deltas), 1e-9);
        INDArray expected = invDense.mmul(v.reshape(11, 1)).reshape(11);
        assertTrue(relativeError(op.dampedInverseMvp(v, SCALE, deltas), expected) < 1e-10);
        INDArray twice = op.dampedInverseSqrtMvp(op.dampedInverseSqrtMvp(v, SCALE, deltas), SCALE, deltas);
        assertTrue(relativeError(twice, expected) < 1e-10);
        assertEquals(6, op.offset(1));
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(long a, long b) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(a, b);
    }

    @Test
    void badInputGivesClearErrors() {
        INDArray nan = spd(3, 7, false);
        nan.putScalar(0, 1, Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new KronFactors("conv1", nan, spd(2, 8, false), KfacFlavour.REDUCE));
        assertTrue(e.getMessage().contains("conv1") && e.getMessage().contains("NaN"), e.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new KronFactors("fc", Nd4j.zeros(DataType.DOUBLE, 2, 3), spd(2, 8, false), KfacFlavour.EXPAND));
        assertTrue(shape.getMessage().contains("square"), shape.getMessage());
        KronBlock block = new KronBlock("fc.weight", decomposition(false));
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                () -> block.mvp(vector(5, 1)));
        assertTrue(length.getMessage().contains("12"), length.getMessage());
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThrows(IllegalArgumentException.class, () -> block.logDet(1.0, bad));
            assertThrows(IllegalArgumentException.class, () -> block.logDet(bad, 1.0));
            assertThrows(IllegalArgumentException.class, () -> block.dampedInverseMvp(vector(12, 1), 1.0, bad));
            assertThrows(IllegalArgumentException.class, () -> block.traceDampedInverse(bad, 1.0));
        }
        assertThrows(IllegalArgumentException.class,
                () -> new DiagonalBlock("d", Nd4j.createFromArray(1.0, -0.5)));
        BlockDiagonalOperator op = new BlockDiagonalOperator(List.of(block));
        assertThrows(IllegalArgumentException.class, () -> op.logDet(1.0, new double[] {1, 2}));
        String zeroScale = assertThrows(IllegalArgumentException.class, () -> op.logDet(0.0, new double[] {1}))
                .getMessage();
        assertTrue(zeroScale.contains("positive finite scale, got 0.0")
                && zeroScale.contains("scale 0 is not supported"), zeroScale);
        assertThrows(IllegalArgumentException.class, () -> new BlockDiagonalOperator(List.of(block, block)));
        assertThrows(IllegalArgumentException.class, () -> new BlockDiagonalOperator(List.of()));
    }
}
