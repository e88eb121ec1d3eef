package io.kronlaplace.laplace;

/** Which weights the Laplace approximation covers; the remaining parameters stay fixed at their MAP values. */
public enum SubsetOfWeights {
    /** Every weight and bias of every {@link io.kronlaplace.nn.WeightLayer} (Linear, Conv2d). */
    ALL,
    /**
     * The weight and bias of the final Linear layer only: the network body is a fixed feature map phi(x) and the
     * Jacobian has the closed form J = phi(x)^T (x) I_C.
     */
    LAST_LAYER,
    /**
     * A chosen set of individual parameters of the weight layers ({@link Subnetwork}, given by
     * {@link LaplaceOptions#subnetwork()}), with a {@link HessianStructure#FULL} posterior over them: the Jacobian
     * is the full network's restricted to the chosen columns.
     */
    SUBNETWORK
}
