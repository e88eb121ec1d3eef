package io.kronlaplace.optim;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ops.impl.transforms.floating.Sqrt;

/**
 * Adam (Kingma and Ba), following PyTorch's {@code torch.optim.Adam} / {@code AdamW}. It steps any list of arrays:
 * network parameters ({@link #step(io.kronlaplace.nn.Network)}), or hyperparameter vectors such as log prior
 * precisions ({@link #step(List, List)} or {@link #step(double[], double[])}). At step t = 1, 2, ...
 * <pre>
 *   g = g + lambda theta                         (L2 decay only)
 *   m = beta1 m + (1 - beta1) g
 *   v = beta2 v + (1 - beta2) g^2
 *   theta = theta (1 - lr lambda)                (decoupled decay only, AdamW)
 *   theta = theta - lr / (1 - beta1^t) * m / (sqrt(v / (1 - beta2^t)) + eps)
 * </pre>
 * Two moment buffers and one scratch array per parameter array, allocated at the first step and reused.
 */
public final class Adam extends BufferedOptimizer {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final WeightDecaySetting decay;

    private Adam(Builder b) {
        super(b.requireSchedule(), 3);
        this.beta1 = OptimizerState.requireUnitInterval(b.beta1, "Adam beta1");
        this.beta2 = OptimizerState.requireUnitInterval(b.beta2, "Adam beta2");
        if (!(b.epsilon > 0) || !Double.isFinite(b.epsilon)) {
            throw new IllegalArgumentException("Adam epsilon must be finite and > 0, got " + b.epsilon);
        }
        this.epsilon = b.epsilon;
        this.decay = b.requireWeightDecay("Adam weight decay");
    }

    /**
     * A builder of Adam optimisers.
     *
     * @return a new builder in which the learning rate (or a schedule) must still be set; betas default to
     *         (0.9, 0.999), epsilon to 1e-8 and weight decay to none
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    void update(List<INDArray> parameters, List<INDArray> gradients, List<INDArray[]> buffers, double lr) {
        long t = steps() + 1;
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
        for (int i = 0; i < parameters.size(); i++) {
            INDArray theta = parameters.get(i);
            INDArray m = buffers.get(i)[0];
            INDArray v = buffers.get(i)[1];
            INDArray scratch = buffers.get(i)[2];
            scratch.assign(gradients.get(i));
            decay.addL2(theta, scratch);
            m.muli(beta1);
            OptimizerState.axpy(1 - beta1, scratch, m);
            scratch.muli(scratch);
            v.muli(beta2);
            OptimizerState.axpy(1 - beta2, scratch, v);
            Nd4j.exec(new Sqrt(v, scratch));
            scratch.divi(sqrtBiasCorrection2).addi(epsilon).rdivi(m);
            decay.shrinkDecoupled(theta, lr);
            OptimizerState.axpy(-lr / biasCorrection1, scratch, theta);
        }
    }

    /**
     * One step on a plain vector, updated in place: for small hyperparameter vectors (copies through a float64
     * array, so not for hot paths). The same instance must always get vectors of the same length.
     *
     * @param parameters the vector to update in place
     * @param gradients  its gradient, of the same length; read only
     * @throws IllegalArgumentException when the lengths differ from each other or from the earlier steps, or a
     *                                  gradient is NaN or infinite
     */
    public void step(double[] parameters, double[] gradients) {
        INDArray theta = Nd4j.createFromArray(parameters.clone());
        INDArray g = Nd4j.createFromArray(gradients.clone());
        step(List.of(theta), List.of(g));
        System.arraycopy(theta.toDoubleVector(), 0, parameters, 0, parameters.length);
    }

    /** Options of {@link Adam}. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets the decay rates of the moment averages.
         *
         * @param beta1 decay rate of the first moment (gradient) average, in [0, 1); checked by {@link #build()}
         * @param beta2 decay rate of the second moment (squared gradient) average, in [0, 1); checked by
         *              {@link #build()}
         * @return this builder
         */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /**
         * Sets the term added to the root of the second moment to avoid division by zero.
         *
         * @param epsilon finite and &gt; 0 (checked by {@link #build()}), in the units of the gradients
         * @return this builder
         */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /**
         * The optimiser with the settings made so far.
         *
         * @return a new Adam optimiser with no state; its buffers are allocated at the first step
         * @throws NullPointerException     when neither a learning rate nor a schedule was set
         * @throws IllegalArgumentException naming any invalid setting
         */
        public Adam build() {
            return new Adam(this);
        }
    }
}
