package io.kronlaplace.likelihood;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Validation and conversion helpers shared by the likelihoods. */
final class LikelihoodInputs {
    private LikelihoodInputs() {
    }

    /**
     * Checks that outputs are a finite floating-point {@code N x C} matrix with N, C >= 1 and returns their values
     * (row-major doubles, a copy).
     */
    static double[] requireOutputs(INDArray outputs, String likelihood) {
        if (outputs == null) {
            throw new IllegalArgumentException(likelihood + ": outputs are null");
        }
        if (outputs.rank() != 2 || outputs.size(0) < 1 || outputs.size(1) < 1) {
            throw new IllegalArgumentException(likelihood
                    + ": outputs must be an N x C matrix with N, C >= 1, got shape "
                    + Arrays.toString(outputs.shape()));
        }
        if (!outputs.dataType().isFPType()) {
            throw new IllegalArgumentException(likelihood + ": outputs must be floating point, got "
                    + outputs.dataType());
        }
        double[] values = toDoubles(outputs);
        requireFinite(values, likelihood + ": outputs");
        return values;
    }

    static void requireFinite(double[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException(what + " contain a non-finite value " + values[i]
                        + " at flat index " + i);
            }
        }
    }

    static void requireReduction(Reduction reduction) {
        if (reduction == null) {
            throw new IllegalArgumentException("reduction is null (use Reduction.SUM or Reduction.MEAN)");
        }
    }

    static void requireSamples(int samples) {
        if (samples < 1) {
            throw new IllegalArgumentException("number of samples must be >= 1, got " + samples);
        }
    }

    /** The elements of x as a compact row-major double array (a copy; x may be a view of any type). */
    static double[] toDoubles(INDArray x) {
        INDArray d = x.dataType() == DataType.DOUBLE ? x.dup('c') : x.castTo(DataType.DOUBLE).dup('c');
        return d.data().asDouble();
    }

    /** A new array of the given shape and floating-point type holding the row-major values. */
    static INDArray fromDoubles(double[] values, DataType type, long... shape) {
        INDArray d = Nd4j.createFromArray(values).reshape('c', shape);
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }

    /** A standard normal draw (Box-Muller: SplittableRandom has no nextGaussian on Java 17). */
    static double gaussian(SplittableRandom random) {
        double u1 = 1.0 - random.nextDouble();
        double u2 = random.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
