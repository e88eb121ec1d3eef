package io.kronlaplace.optim;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stochastic gradient descent with heavy-ball or Nesterov momentum and weight decay, following PyTorch's
 * {@code torch.optim.SGD} (dampening 0). With learning rate {@code lr_t}, momentum {@code mu} and decay
 * {@code lambda}, one step is
 * <pre>
 *   d = g + lambda theta                       (L2 decay only)
 *   buf = mu buf + d                           (buf starts at zero, so the first buf is d)
 *   d = buf, or d + mu buf with Nesterov      (when mu > 0)
 *   theta = theta (1 - lr_t lambda)            (decoupled decay only)
 *   theta = theta - lr_t d
 * </pre>
 * All arithmetic is in place on preallocated buffers (one momentum and one scratch array per parameter); the
 * gradients are never modified.
 */
public final class Sgd extends BufferedOptimizer {
    private final double momentum;
    private final boolean nesterov;
    private final WeightDecaySetting decay;

    private Sgd(Builder b) {
        super(b.requireSchedule(), 2);
        this.momentum = OptimizerState.requireUnitInterval(b.momentum, "SGD momentum");
        if (b.nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0, got " + momentum);
        }
        this.nesterov = b.nesterov;
        this.decay = b.requireWeightDecay("SGD weight decay");
    }

    /**
     * A builder of SGD optimisers.
     *
     * @return a new builder in which the learning rate (or a schedule) must still be set; everything else defaults
     *         to plain SGD without momentum or weight decay
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    void update(List<INDArray> parameters, List<INDArray> gradients, List<INDArray[]> buffers, double lr) {
        for (int i = 0; i < parameters.size(); i++) {
            INDArray theta = parameters.get(i);
            INDArray gradient = gradients.get(i);
            INDArray momentumBuffer = buffers.get(i)[0];
            INDArray scratch = buffers.get(i)[1];
            // Each branch reads and writes as few full arrays as its rule needs: the update is memory-bound.
            INDArray direction;
            if (momentum > 0) {
                momentumBuffer.muli(momentum).addi(gradient);
                decay.addL2(theta, momentumBuffer);
                if (nesterov) {
                    direction = scratch.assign(gradient);
                    decay.addL2(theta, direction);
                    OptimizerState.axpy(momentum, momentumBuffer, direction);
                } else {
                    direction = momentumBuffer;
                }
            } else if (decay.isL2()) {
                direction = scratch.assign(gradient);
                decay.addL2(theta, direction);
            } else {
                direction = gradient;
            }
            decay.shrinkDecoupled(theta, lr);
            OptimizerState.axpy(-lr, direction, theta);
        }
    }

    /** Options of {@link Sgd}. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private double momentum;
        private boolean nesterov;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets the momentum coefficient.
         *
         * @param momentum in [0, 1) (checked by {@link #build()}); 0, the default, is plain SGD
         * @return this builder
         */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /**
         * Switches Nesterov momentum on or off.
         *
         * @param nesterov whether to use Nesterov momentum, which needs a momentum &gt; 0; off by default
         * @return this builder
         */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /**
         * The optimiser with the settings made so far.
         *
         * @return a new SGD optimiser with no state; its buffers are allocated at the first step
         * @throws NullPointerException     when neither a learning rate nor a schedule was set
         * @throws IllegalArgumentException naming any invalid setting, e.g. Nesterov without momentum
         */
        public Sgd build() {
            return new Sgd(this);
        }
    }
}
