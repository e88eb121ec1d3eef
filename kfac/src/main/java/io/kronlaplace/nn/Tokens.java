package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Shape checks shared by the modules that work on token sequences {@code [N, T, D]}. */
final class Tokens {
    private Tokens() {
    }

    /** Throws naming the module when x is not {@code [N, T, width]}. */
    static void requireTokens(INDArray x, long width, Module module, String what) {
        String name = module.getClass().getSimpleName() + " '" + module.path() + "' " + what + " (N, T, D)";
        Tensors.requireRank(x, name, 3);
        Tensors.requireSize(x, 2, width, name);
    }

    /** Throws naming the module when x's floating-point type differs from the parameter's. */
    static void requireType(INDArray x, Parameter parameter, Module module) {
        if (x.dataType() != parameter.value().dataType()) {
            throw new IllegalArgumentException(module.getClass().getSimpleName() + " '" + module.path()
                    + "': input is " + x.dataType() + " but parameters are " + parameter.value().dataType()
                    + " (cast the network or the data)");
        }
    }

    /** Throws naming the module when the tangent's shape differs from the cached input's. */
    static void requireSameShape(INDArray tangent, long[] inputShape, Module module) {
        if (!java.util.Arrays.equals(tangent.shape(), inputShape)) {
            throw new IllegalArgumentException(module.getClass().getSimpleName() + " '" + module.path()
                    + "': tangent has shape " + java.util.Arrays.toString(tangent.shape()) + ", input was "
                    + java.util.Arrays.toString(inputShape));
        }
    }

    /** Throws naming the module when x's dimensions after the first differ from {@code shape}'s. */
    static void requireTrailingShape(INDArray x, long[] shape, Module module, String what) {
        boolean same = x.rank() == shape.length;
        for (int d = 1; same && d < shape.length; d++) {
            same = x.size(d) == shape[d];
        }
        if (!same) {
            long[] expected = shape.clone();
            expected[0] = -1;
            throw new IllegalArgumentException(module.getClass().getSimpleName() + " '" + module.path() + "' "
                    + what + ": expected shape " + java.util.Arrays.toString(expected).replace("-1", "rows")
                    + ", got " + java.util.Arrays.toString(x.shape()));
        }
    }
}
