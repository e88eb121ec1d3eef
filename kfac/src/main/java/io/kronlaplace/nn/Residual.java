package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A residual connection {@code y = main(x) + shortcut(x)}, with the shortcut either the identity or a module (a 1x1
 * convolution where the shape changes). Children are named "main" and "shortcut".
 */
public final class Residual extends Module {
    private final Module main;
    private final Module shortcut;

    /**
     * {@code y = main(x) + x}.
     *
     * @param main the residual branch, whose output must have the input's shape; not null
     */
    public Residual(Module main) {
        this(main, null);
    }

    /**
     * {@code y = main(x) + shortcut(x)}, or {@code main(x) + x} without a shortcut.
     *
     * @param main     the residual branch; not null
     * @param shortcut the shortcut branch, or null for the identity
     */
    public Residual(Module main, Module shortcut) {
        this.main = java.util.Objects.requireNonNull(main, "main");
        this.shortcut = shortcut;
    }

    /**
     * The residual branch.
     *
     * @return the module computing {@code main(x)}
     */
    public Module main() {
        return main;
    }

    /**
     * The shortcut module, or null for the identity.
     *
     * @return the shortcut branch, or null
     */
    public Module shortcut() {
        return shortcut;
    }

    @Override
    protected List<Child> children() {
        List<Child> out = new ArrayList<>();
        out.add(new Child("main", main));
        if (shortcut != null) {
            out.add(new Child("shortcut", shortcut));
        }
        return out;
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        INDArray y = main.forward(input, mode);
        INDArray s = shortcut == null ? input : shortcut.forward(input, mode);
        if (!Arrays.equals(y.shape(), s.shape())) {
            throw new IllegalArgumentException("Residual '" + path() + "': main branch gives "
                    + Arrays.toString(y.shape()) + " but the " + (shortcut == null ? "identity" : "shortcut")
                    + " gives " + Arrays.toString(s.shape()) + "; use a shortcut module that matches the shapes");
        }
        // Fresh sum: neither branch's output may be modified, layers cache them.
        return y.add(s);
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray viaMain = main.backward(gradOutput, context);
        INDArray viaShortcut = shortcut == null ? gradOutput : shortcut.backward(gradOutput, context);
        return viaMain.add(viaShortcut);
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray viaMain = main.jvp(tangent, tap);
        INDArray viaShortcut = shortcut == null ? tangent : shortcut.jvp(tangent, tap);
        return viaMain.add(viaShortcut);
    }
}
