package io.kronlaplace.optim;

/** How an optimiser applies weight decay {@code lambda}. */
public enum WeightDecay {
    /**
     * L2 regularisation: {@code lambda * theta} is added to the gradient before momentum or Adam's moments (PyTorch's
     * {@code weight_decay} in SGD and Adam).
     */
    L2,
    /**
     * Decoupled decay (Loshchilov and Hutter, SGDW / AdamW): {@code theta <- theta (1 - lr * lambda)} separately from
     * the gradient step, so adaptive or preconditioned steps do not rescale the decay.
     */
    DECOUPLED
}
