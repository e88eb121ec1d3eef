package io.kronlaplace.hyperopt.checkpoint;

/** The family of a saved model's network. */
public enum ModelKind {
    /** A Wide ResNet ({@link io.kronlaplace.nn.models.WideResNet}). */
    WRN,
    /** A vision transformer ({@link io.kronlaplace.nn.models.VisionTransformer}). */
    VIT,
    /**
     * A graph network ({@link io.kronlaplace.nn.graph.GraphNetwork}) with one binary label per task and graph
     * (multi-label, missing labels allowed).
     */
    GNN,
    /** A multilayer perceptron over flattened images ({@link io.kronlaplace.nn.models.Mlp}). */
    MLP,
    /** A plain convolutional network ({@link io.kronlaplace.nn.models.ConvNet}). */
    CNN;

    /**
     * Whether the inputs are images (normalised per channel); graph inputs are used as they are.
     *
     * @return true for every kind but {@link #GNN}
     */
    public boolean imageInputs() {
        return this != GNN;
    }
}
