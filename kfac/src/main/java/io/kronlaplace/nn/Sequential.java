package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Modules applied one after another. Children are named by position ("0", "1", ...) unless named explicitly. */
public final class Sequential extends Module {
    private final List<Child> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    public Sequential add(Module module) {
        return add(Integer.toString(layers.size()), module);
    }

    public Sequential add(String name, Module module) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("child name must be non-empty and contain no '.': '" + name + "'");
        }
        for (Child c : layers) {
            if (c.name().equals(name)) {
                throw new IllegalArgumentException("duplicate child name '" + name + "'");
            }
        }
        layers.add(new Child(name, module));
        return this;
    }

    public int size() {
        return layers.size();
    }

    public Module get(int index) {
        return layers.get(index).module();
    }

    @Override
    protected List<Child> children() {
        return List.copyOf(layers);
    }

    @Override
    public INDArray forward(INDArray input, Mode mode) {
        INDArray x = input;
        for (Child c : layers) {
            x = c.module().forward(x, mode);
        }
        return x;
    }

    @Override
    public INDArray backward(INDArray gradOutput, BackwardContext context) {
        INDArray g = gradOutput;
        for (int i = layers.size() - 1; i >= 0; i--) {
            g = layers.get(i).module().backward(g, context);
        }
        return g;
    }

    @Override
    public INDArray jvp(INDArray tangent, TangentTap tap) {
        INDArray t = tangent;
        for (Child c : layers) {
            t = c.module().jvp(t, tap);
        }
        return t;
    }
}
