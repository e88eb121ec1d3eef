package io.kronlaplace.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Central finite-difference checks of a module's backward pass (float64) against the scalar loss
 * {@code L = sum(forward(x) * R)} for a fixed random R, and the copies test (k vectors per example through one
 * backward pass equal k separate backward passes).
 */
public final class GradientCheck {
    private static final double EPS = 1e-6;

    private GradientCheck() {
    }

    /** Uniform(-1, 1) float64 values from a seeded stream. */
    public static INDArray random(long seed, long... shape) {
        Random r = new Random(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2 * r.nextDouble() - 1;
        }
        return Nd4j.createFromArray(v).reshape(shape);
    }

    /** Relative error ||a - b|| / max(||b||, tiny). */
    public static double relativeError(INDArray a, INDArray b) {
        assertArrayEquals(b.shape(), a.shape(), "shapes differ");
        double denominator = Math.max(b.norm2Number().doubleValue(), 1e-300);
        return a.sub(b).norm2Number().doubleValue() / denominator;
    }

    /**
     * Checks the input gradient and every parameter gradient of {@code module} at {@code x} in the given mode against
     * central finite differences; asserts relative error below {@code tolerance}.
     */
    public static void check(Module module, INDArray x, Mode mode, double tolerance) {
        assertTrue(x.dataType() == DataType.DOUBLE, "finite-difference checks run in float64");
        INDArray out = module.forward(x.dup(), mode);
        INDArray r = random(17, out.shape());
        module.zeroGrad();
        module.forward(x.dup(), mode);
        INDArray gradInput = module.backward(r, BackwardContext.training()).dup();
        double inputError = relativeError(gradInput, numericGradient(module, x, x, r, mode));
        assertTrue(inputError < tolerance, "input gradient relative error " + inputError);
        for (Map.Entry<String, Parameter> e : module.namedParameters().entrySet()) {
            INDArray analytic = e.getValue().grad().dup();
            INDArray numeric = numericGradient(module, x, e.getValue().value(), r, mode);
            double error = relativeError(analytic, numeric);
            assertTrue(error < tolerance, "parameter '" + e.getKey() + "' gradient relative error " + error
                    + "\nanalytic " + analytic + "\nnumeric " + numeric);
        }
    }

    /** d/dv sum(forward(x) * r) by central differences, perturbing {@code v} (x itself or a parameter) in place. */
    public static INDArray numericGradient(Module module, INDArray x, INDArray v, INDArray r, Mode mode) {
        INDArray flat = v.reshape(v.length());
        double[] g = new double[Math.toIntExact(v.length())];
        for (int i = 0; i < g.length; i++) {
            double old = flat.getDouble(i);
            flat.putScalar(i, old + EPS);
            double plus = module.forward(x.dup(), mode).mul(r).sumNumber().doubleValue();
            flat.putScalar(i, old - EPS);
            double minus = module.forward(x.dup(), mode).mul(r).sumNumber().doubleValue();
            flat.putScalar(i, old);
            g[i] = (plus - minus) / (2 * EPS);
        }
        return Nd4j.createFromArray(g).reshape(v.shape());
    }

    /**
     * Back-propagates k gradients per example in one pass (copy-major rows) and compares with k separate passes;
     * asserts relative error below {@code tolerance}.
     */
    public static void checkCopies(Module module, INDArray x, Mode mode, int copies, double tolerance) {
        INDArray out = module.forward(x.dup(), mode);
        long n = out.size(0);
        long[] stackedShape = out.shape().clone();
        stackedShape[0] = n * copies;
        INDArray stacked = random(23, stackedShape);
        module.forward(x.dup(), mode);
        INDArray together = module.backward(stacked, BackwardContext.curvature(copies, null)).dup();
        assertTrue(together.size(0) == x.size(0) * copies, "rows " + together.size(0));
        for (int c = 0; c < copies; c++) {
            INDArray part = stacked.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(c * n, (c + 1) * n)).dup();
            module.forward(x.dup(), mode);
            INDArray single = module.backward(part, BackwardContext.curvature(1, null));
            INDArray slice = together.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(c * x.size(0),
                    (c + 1) * x.size(0)));
            double error = relativeError(slice, single);
            assertTrue(error < tolerance, "copy " + c + " relative error " + error);
        }
    }

    /**
     * Runs forward and a training backward in float64, casts the module to float32, repeats, and asserts that outputs
     * and input gradients agree to float32 accuracy and that float32 results are float32; casts back to float64.
     */
    public static void checkFloat32Agrees(Module module, INDArray x, Mode mode) {
        INDArray out64 = module.forward(x.dup(), mode).dup();
        INDArray r = random(29, out64.shape());
        INDArray grad64 = module.backward(r, BackwardContext.training()).dup();
        module.castTo(DataType.FLOAT);
        INDArray out32 = module.forward(x.castTo(DataType.FLOAT), mode);
        INDArray grad32 = module.backward(r.castTo(DataType.FLOAT), BackwardContext.training());
        assertTrue(out32.dataType() == DataType.FLOAT && grad32.dataType() == DataType.FLOAT, "float32 results");
        double outError = relativeError(out32.castTo(DataType.DOUBLE), out64);
        double gradError = relativeError(grad32.castTo(DataType.DOUBLE), grad64);
        assertTrue(outError < 1e-4 && gradError < 1e-4, "float32 vs float64: output " + outError + ", gradient "
                + gradError);
        module.castTo(DataType.DOUBLE);
    }

    /**
     * Like {@link #check} but compares only {@code samples} randomly chosen entries of the input gradient and of each
     * parameter gradient, for modules too large to difference in full.
     */
    public static void checkSampled(Module module, INDArray x, Mode mode, int samples, double tolerance) {
        INDArray out = module.forward(x.dup(), mode);
        INDArray r = random(17, out.shape());
        module.zeroGrad();
        module.forward(x.dup(), mode);
        INDArray gradInput = module.backward(r, BackwardContext.training()).dup();
        Random pick = new Random(31);
        compareSampled(module, x, x, gradInput, r, mode, samples, pick, tolerance, "input");
        for (Map.Entry<String, Parameter> e : module.namedParameters().entrySet()) {
            compareSampled(module, x, e.getValue().value(), e.getValue().grad().dup(), r, mode, samples, pick,
                    tolerance, e.getKey());
        }
    }

    private static void compareSampled(Module module, INDArray x, INDArray v, INDArray analytic, INDArray r, Mode mode,
                                       int samples, Random pick, double tolerance, String what) {
        INDArray flat = v.reshape(v.length());
        INDArray analyticFlat = analytic.reshape(analytic.length());
        int count = (int) Math.min(samples, v.length());
        double[] a = new double[count];
        double[] num = new double[count];
        for (int s = 0; s < count; s++) {
            long i = count == v.length() ? s : (long) (pick.nextDouble() * v.length());
            double old = flat.getDouble(i);
            flat.putScalar(i, old + EPS);
            double plus = module.forward(x.dup(), mode).mul(r).sumNumber().doubleValue();
            flat.putScalar(i, old - EPS);
            double minus = module.forward(x.dup(), mode).mul(r).sumNumber().doubleValue();
            flat.putScalar(i, old);
            num[s] = (plus - minus) / (2 * EPS);
            a[s] = analyticFlat.getDouble(i);
        }
        double error = relativeError(Nd4j.createFromArray(a), Nd4j.createFromArray(num));
        assertTrue(error < tolerance, what + " gradient relative error " + error);
    }
}
