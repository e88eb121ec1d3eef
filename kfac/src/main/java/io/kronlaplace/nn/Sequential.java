package io.kronlaplace.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Modules applied one after another. Children are named by position ("0", "1", ...) unless named explicitly. */
public final class Sequential extends Module {
    private final List<Child> layers = new ArrayList<>();

    /**
     * A sequence of the given modules, named "0", "1", ... in order.
     *
     * @param modules the layers in forward order; none for an empty sequence to {@link #add} to
     */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /**
     * Appends a module named by its position.
     *
     * @param module the layer to run after the current last one
     * @return this sequence, for chaining
     * @throws IllegalArgumentException when a child already has the name of that position
     */
    public Sequential add(Module module) {
        return add(Integer.toString(layers.size()), module);
    }

    /**
     * Appends a module under an explicit name, which becomes part of its parameters' dotted names.
     *
     * @param name   the child's local name: non-empty, without '.', unique within this sequence
     * @param module the layer to run after the current last one
     * @return this sequence, for chaining
     * @throws IllegalArgumentException when the name is empty, contains '.' or is already taken
     */
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

    /**
     * Number of modules in the sequence.
     *
     * @return the child count
     */
    public int size() {
        return layers.size();
    }

    /**
     * The module at a position.
     *
     * @param index position in forward order, in {@code [0, size())}
     * @return that module
     * @throws IndexOutOfBoundsException when the index is out of range
     */
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
