package io.kronlaplace.curvature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.nn.StepWorkspace;
import java.util.SplittableRandom;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link KronEigenbasis} on a 3 x 3 input factor A and a 4 x 4 output factor B against the explicit 12 x 12 matrix
 * s kron(B, A) + delta I (row-major vec(W)), whose powers, log-determinant and traces come from an EJML
 * eigendecomposition, and whose derivatives come from central finite differences.
 */
class KronEigenbasisTest {
    private static final int DIN = 3;
    private static final int DOUT = 4;
    private static final double S = 0.7;
    private static final double DELTA = 0.3;

    private static double[][] spd(int n, long seed, boolean singular) {
        SplittableRandom r = new SplittableRandom(seed);
        int cols = singular ? n - 1 : n + 1;
        double[][] x = new double[n][cols];
        for (double[] row : x) {
            for (int j = 0; j < cols; j++) {
                row[j] = r.nextDouble(-1, 1);
            }
        }
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < cols; k++) {
                    m[i][j] += x[i][k] * x[j][k];
                }
            }
        }
        return m;
    }

    private static double[][] symmetric(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] e = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                e[i][j] = r.nextDouble(-1, 1);
                e[j][i] = e[i][j];
            }
        }
        return e;
    }

    private static double[][] plus(double[][] a, double[][] e, double h) {
        double[][] out = new double[a.length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                out[i][j] = a[i][j] + h * e[i][j];
            }
        }
        return out;
    }

    private static KronEigenbasis weight(double[][] a, double[][] b) {
        return KronEigenbasis.ofWeight(KronDecomposition.of(new KronFactors("fc", Nd4j.createFromArray(a),
                Nd4j.createFromArray(b), KfacFlavour.REDUCE)));
    }

    private static KronEigenbasis bias(double[][] a, double[][] b) {
        return KronEigenbasis.ofBias(KronDecomposition.of(new KronFactors("fc", Nd4j.createFromArray(a),
                Nd4j.createFromArray(b), KfacFlavour.REDUCE)));
    }

    /** kron(b, a)[i * na + j][k * na + l] = b[i][k] a[j][l]: the matrix of W -> B W A on row-major vec(W). */
    private static double[][] kron(double[][] b, double[][] a) {
        int na = a.length;
        int n = b.length * na;
        double[][] out = new double[n][n];
        for (int row = 0; row < n; row++) {
            for (int col = 0; col < n; col++) {
                out[row][col] = b[row / na][col / na] * a[row % na][col % na];
            }
        }
        return out;
    }

    private static double[][] damped(double[][] h, double s, double delta) {
        double[][] p = new double[h.length][h.length];
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < h.length; j++) {
                p[i][j] = s * h[i][j] + (i == j ? delta : 0);
            }
        }
        return p;
    }

    /** Eigenvalues (index 0) and eigenvectors (rows 1..n, as columns of V) of a symmetric matrix by EJML. */
    private static EigenDecomposition_F64<DMatrixRMaj> eig(double[][] m) {
        EigenDecomposition_F64<DMatrixRMaj> e = DecompositionFactory_DDRM.eig(m.length, true, true);
        assertTrue(e.decompose(new DMatrixRMaj(m)));
        return e;
    }

    private static double[][] densePower(double[][] m, double p) {
        int n = m.length;
        EigenDecomposition_F64<DMatrixRMaj> e = eig(m);
        double[][] out = new double[n][n];
        for (int k = 0; k < n; k++) {
            double lambda = Math.pow(Math.max(0, e.getEigenvalue(k).real), p);
            DMatrixRMaj v = e.getEigenVector(k);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    out[i][j] += lambda * v.get(i) * v.get(j);
                }
            }
        }
        return out;
    }

    private static double logDet(double[][] m) {
        double sum = 0;
        EigenDecomposition_F64<DMatrixRMaj> e = eig(m);
        for (int k = 0; k < m.length; k++) {
            sum += Math.log(e.getEigenvalue(k).real);
        }
        return sum;
    }

    private static double traceInverse(double[][] m) {
        DMatrixRMaj inv = new DMatrixRMaj(m.length, m.length);
        assertTrue(CommonOps_DDRM.invert(new DMatrixRMaj(m), inv));
        return CommonOps_DDRM.trace(inv);
    }

    private static double[] times(double[][] m, double[] v) {
        double[] out = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            for (int j = 0; j < v.length; j++) {
                out[i] += m[i][j] * v[j];
            }
        }
        return out;
    }

    private static INDArray stack(int count, int dout, int din, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] values = new double[count * dout * din];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextDouble(-1, 1);
        }
        return Nd4j.create(values, new long[] {count, dout, din}, 'c');
    }

    private static void assertClose(double[] expected, double[] actual, double relative, String what) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            diff += (expected[i] - actual[i]) * (expected[i] - actual[i]);
            norm += expected[i] * expected[i];
        }
        assertTrue(Math.sqrt(diff) <= relative * Math.sqrt(norm), what + ": relative error "
                + Math.sqrt(diff / norm));
    }

    private static double inner(double[][] x, double[][] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x.length; j++) {
                sum += x[i][j] * y[i][j];
            }
        }
        return sum;
    }

    private static double[][] rows(INDArray m) {
        return m.toDoubleMatrix();
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1.0, -0.5, 0.5, 1.0})
    void weightPowersMatchTheDenseKroneckerPower(double p) {
        double[][] a = spd(DIN, 1, false);
        double[][] b = spd(DOUT, 2, false);
        double[][] expected = densePower(damped(kron(b, a), S, DELTA), p);
        INDArray in = stack(5, DOUT, DIN, 3);
        INDArray out = Nd4j.create(DataType.DOUBLE, 5, DOUT, DIN);
        weight(a, b).power(S, DELTA, p, DataType.DOUBLE).apply(in, out);
        for (int k = 0; k < 5; k++) {
            double[] w = in.get(NDArrayIndex.point(k)).dup('c').data().asDouble();
            double[] actual = out.get(NDArrayIndex.point(k)).dup('c').data().asDouble();
            assertClose(times(expected, w), actual, 1e-12, "matrix " + k + " at p=" + p);
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1.0, -0.5, 0.5, 1.0})
    void biasPowersMatchTheDensePowerOfB(double p) {
        double[][] a = spd(DIN, 1, false);
        double[][] b = spd(DOUT, 2, false);
        double[][] expected = densePower(damped(b, S, DELTA), p);
        INDArray in = stack(3, 1, DOUT, 4).reshape(3, DOUT);
        INDArray out = bias(a, b).power(S, DELTA, p, DataType.DOUBLE).apply(in);
        for (int k = 0; k < 3; k++) {
            assertClose(times(expected, in.getRow(k).toDoubleVector()), out.getRow(k).toDoubleVector(), 1e-12,
                    "bias vector " + k + " at p=" + p);
        }
    }

    @Test
    void aStackEqualsOneMatrixAtATimeAlsoInPlaceWithScratchAndInAWorkspace() {
        DampedKronPower power = weight(spd(DIN, 1, false), spd(DOUT, 2, false)).power(S, DELTA, -0.5,
                DataType.DOUBLE);
        INDArray in = stack(6, DOUT, DIN, 5);
        INDArray batched = power.apply(in);
        DampedKronPower.Scratch one = power.newScratch(1);
        for (int k = 0; k < 6; k++) {
            INDArray w = in.get(NDArrayIndex.point(k)).dup('c');
            INDArray single = Nd4j.create(DataType.DOUBLE, DOUT, DIN);
            power.apply(w, single, one);
            assertClose(single.data().asDouble(), batched.get(NDArrayIndex.point(k))
                    .dup('c').data().asDouble(), 1e-13, "matrix " + k);
        }
        INDArray inPlace = in.dup('c');
        power.apply(inPlace, inPlace, power.newScratch(6));
        assertClose(batched.data().asDouble(), inPlace.data().asDouble(), 0, "in place");
        INDArray inWorkspace = Nd4j.create(DataType.DOUBLE, 6, DOUT, DIN);
        try (StepWorkspace ignored = StepWorkspace.open("kron-eigenbasis-test")) {
            power.apply(in, inWorkspace);
        }
        StepWorkspace.release("kron-eigenbasis-test");
        assertClose(batched.data().asDouble(), inWorkspace.data().asDouble(), 0, "temporaries in a workspace");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void float32PowersAgreeWithFloat64WithinFloat32Precision(int count) {
        KronEigenbasis basis = weight(spd(DIN, 1, false), spd(DOUT, 2, false));
        INDArray in = stack(count, DOUT, DIN, 6);
        INDArray reference = basis.power(S, DELTA, -1.0, DataType.DOUBLE).apply(in);
        INDArray single = basis.power(S, DELTA, -1.0, DataType.FLOAT).apply(in.castTo(DataType.FLOAT));
        assertEquals(DataType.FLOAT, single.dataType());
        assertClose(reference.data().asDouble(), single.castTo(DataType.DOUBLE).data().asDouble(), 1e-5, "float32");
    }

    @Test
    void logDetTracesAndTheirDerivativesMatchTheDenseMatrix() {
        double[][] a = spd(DIN, 1, false);
        double[][] b = spd(DOUT, 2, false);
        double[][] h = kron(b, a);
        for (KronEigenbasis basis : new KronEigenbasis[] {weight(a, b), bias(a, b)}) {
            double[][] block = basis.inFeatures() == 1 ? b : h;
            SpectralSums.Terms t = basis.terms(S, DELTA);
            assertEquals(logDet(damped(block, S, DELTA)), t.logDet(), 1e-11, "log det");
            assertEquals(traceInverse(damped(block, S, DELTA)), t.traceInverse(), 1e-11, "trace of the inverse");
            double step = 1e-6;
            double ds = (logDet(damped(block, S + step, DELTA)) - logDet(damped(block, S - step, DELTA))) / (2 * step);
            double dd = (logDet(damped(block, S, DELTA + step)) - logDet(damped(block, S, DELTA - step))) / (2 * step);
            assertEquals(ds, t.logDetScaleDerivative(), 1e-7 * Math.abs(ds), "d logdet / ds");
            assertEquals(dd, t.logDetDampingDerivative(), 1e-7 * Math.abs(dd), "d logdet / d delta");
        }
    }

    @Test
    void sensitivitiesMatchFiniteDifferencesOfTheLogDetInEachFactor() {
        double[][] a = spd(DIN, 1, false);
        double[][] b = spd(DOUT, 2, false);
        double[][] ea = symmetric(DIN, 7);
        double[][] eb = symmetric(DOUT, 8);
        KronDecomposition decomposition = KronDecomposition.of(new KronFactors("fc", Nd4j.createFromArray(a),
                Nd4j.createFromArray(b), KfacFlavour.REDUCE));
        KronEigenbasis basis = KronEigenbasis.ofWeight(decomposition);
        double h = 1e-5;
        double fdA = (logDet(damped(kron(b, plus(a, ea, h)), S, DELTA))
                - logDet(damped(kron(b, plus(a, ea, -h)), S, DELTA))) / (2 * h);
        double fdB = (logDet(damped(kron(plus(b, eb, h), a), S, DELTA))
                - logDet(damped(kron(plus(b, eb, -h), a), S, DELTA))) / (2 * h);
        assertEquals(fdA, inner(rows(basis.logDetGradientA(S, DELTA).dense()), ea), 1e-7 * Math.abs(fdA), "dA");
        assertEquals(fdB, inner(rows(basis.logDetGradientB(S, DELTA).dense()), eb), 1e-7 * Math.abs(fdB), "dB");
        double fdBias = (logDet(damped(plus(b, eb, h), S, DELTA)) - logDet(damped(plus(b, eb, -h), S, DELTA)))
                / (2 * h);
        KronEigenbasis biasBasis = KronEigenbasis.ofBias(decomposition);
        assertEquals(fdBias, inner(rows(biasBasis.logDetGradientB(S, DELTA).dense()), eb), 1e-7 * Math.abs(fdBias),
                "bias dB");
        double both = inner(rows(basis.logDetGradientB(S, DELTA).plus(biasBasis.logDetGradientB(S, DELTA))
                .dense()), eb);
        assertEquals(fdB + fdBias, both, 1e-7 * Math.abs(fdB + fdBias), "weight and bias dB summed in one basis");
    }

    @Test
    void singularBlocksNeedDampingOnlyForNegativePowers() {
        double[][] a = spd(DIN, 1, true);
        double[][] b = spd(DOUT, 2, false);
        KronEigenbasis basis = weight(a, b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> basis.power(S, 0.0, -1.0, DataType.DOUBLE));
        assertTrue(e.getMessage().contains("singular"), e.getMessage());
        INDArray in = stack(2, DOUT, DIN, 9);
        INDArray out = basis.power(S, 0.0, 0.5, DataType.DOUBLE).apply(in);
        double[][] root = densePower(damped(kron(b, a), S, 0.0), 0.5);
        for (int k = 0; k < 2; k++) {
            assertClose(times(root, in.get(NDArrayIndex.point(k)).dup('c').data()
                    .asDouble()), out.get(NDArrayIndex.point(k)).dup('c').data()
                    .asDouble(), 1e-7, "square root of a singular block");
        }
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        double[][] a = spd(DIN, 1, false);
        double[][] b = spd(DOUT, 2, false);
        double[][] nan = spd(DIN, 1, false);
        nan[0][1] = Double.NaN;
        IllegalArgumentException nonFinite = assertThrows(IllegalArgumentException.class, () -> weight(nan, b));
        assertTrue(nonFinite.getMessage().contains("NaN"), nonFinite.getMessage());
        KronEigenbasis basis = weight(a, b);
        assertThrows(IllegalArgumentException.class, () -> basis.power(S, -0.1, 1.0, DataType.DOUBLE));
        assertThrows(IllegalArgumentException.class, () -> basis.power(0.0, DELTA, 1.0, DataType.DOUBLE));
        assertThrows(IllegalArgumentException.class, () -> basis.power(S, DELTA, Double.NaN, DataType.DOUBLE));
        assertThrows(IllegalArgumentException.class, () -> basis.power(S, DELTA, 1.0, DataType.INT));
        assertThrows(IllegalArgumentException.class, () -> basis.terms(S, 0.0));
        assertThrows(IllegalArgumentException.class, () -> basis.logDetGradientA(S, 0.0));
        DampedKronPower power = basis.power(S, DELTA, -1.0, DataType.DOUBLE);
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> power.apply(Nd4j.zeros(DataType.DOUBLE, 2, 13)));
        assertTrue(shape.getMessage().contains("4 x 3"), shape.getMessage());
        INDArray in = stack(2, DOUT, DIN, 1);
        IllegalArgumentException output = assertThrows(IllegalArgumentException.class,
                () -> power.apply(in, Nd4j.zeros(DataType.DOUBLE, 2, DOUT * DIN)));
        assertTrue(output.getMessage().contains("output buffer"), output.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> power.apply(in, Nd4j.zeros(DataType.FLOAT, 2, DOUT, DIN)));
        IllegalArgumentException strided = assertThrows(IllegalArgumentException.class,
                () -> power.apply(in, Nd4j.zeros(DataType.DOUBLE, 2, DIN, DOUT).permute(0, 2, 1)));
        assertTrue(strided.getMessage().contains("C order"), strided.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> power.apply(in, Nd4j.zeros(DataType.DOUBLE, 2, DOUT, DIN), power.newScratch(1)));
        EigenbasisMatrix ga = basis.logDetGradientA(S, DELTA);
        assertThrows(IllegalArgumentException.class, () -> ga.plus(basis.logDetGradientB(S, DELTA)));
        assertThrows(IllegalArgumentException.class, () -> ga.rowsTimes(Nd4j.zeros(DataType.DOUBLE, 2, DOUT)));
    }
}
