package io.kronlaplace.hyperopt.checkpoint;

/** The family of a saved model's network. */
public enum ModelKind {
    /** A Wide ResNet ({@link io.kronlaplace.nn.models.WideResNet}). */
    WRN,
    /** A vision transformer ({@link io.kronlaplace.nn.models.VisionTransformer}). */
    VIT,
    /** A multilayer perceptron over flattened images ({@link io.kronlaplace.nn.models.Mlp}). */
    MLP,
    /** A plain convolutional network ({@link io.kronlaplace.nn.models.ConvNet}). */
    CNN
}
