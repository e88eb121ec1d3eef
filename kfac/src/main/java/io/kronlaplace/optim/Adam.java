package io.kronlaplace.optim;

import java.util.List;
import java.util.Objects;
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
public final class Adam implements Optimizer {
    private final LearningRateSchedule schedule;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final WeightDecay decayMode;
    private final OptimizerState state = new OptimizerState(3);
    private long steps;

    private Adam(Builder b) {
        this.schedule = Objects.requireNonNull(b.schedule, "learning rate (set learningRate or schedule)");
        this.beta1 = OptimizerState.requireUnitInterval(b.beta1, "Adam beta1");
        this.beta2 = OptimizerState.requireUnitInterval(b.beta2, "Adam beta2");
        if (!(b.epsilon > 0) || !Double.isFinite(b.epsilon)) {
            throw new IllegalArgumentException("Adam epsilon must be finite and > 0, got " + b.epsilon);
        }
        this.epsilon = b.epsilon;
        this.weightDecay = OptimizerState.requireNonNegative(b.weightDecay, "Adam weight decay");
        this.decayMode = Objects.requireNonNull(b.decayMode, "weight decay mode");
    }

    /** A builder; the learning rate (or a schedule) is required; betas default to (0.9, 0.999), eps to 1e-8. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void step(List<INDArray> parameters, List<INDArray> gradients) {
        List<INDArray[]> buffers = state.prepare(parameters, gradients);
        double lr = LearningRateSchedule.requirePositiveRate(schedule.rate(steps), "learning rate at step " + steps);
        long t = steps + 1;
        double biasCorrection1 = 1 - Math.pow(beta1, t);
        double sqrtBiasCorrection2 = Math.sqrt(1 - Math.pow(beta2, t));
        for (int i = 0; i < parameters.size(); i++) {
            INDArray theta = parameters.get(i);
            INDArray m = buffers.get(i)[0];
            INDArray v = buffers.get(i)[1];
            INDArray scratch = buffers.get(i)[2];
            scratch.assign(gradients.get(i));
            if (weightDecay > 0 && decayMode == WeightDecay.L2) {
                OptimizerState.axpy(weightDecay, theta, scratch);
            }
            m.muli(beta1);
            OptimizerState.axpy(1 - beta1, scratch, m);
            scratch.muli(scratch);
            v.muli(beta2);
            OptimizerState.axpy(1 - beta2, scratch, v);
            Nd4j.exec(new Sqrt(v, scratch));
            scratch.divi(sqrtBiasCorrection2).addi(epsilon).rdivi(m);
            if (weightDecay > 0 && decayMode == WeightDecay.DECOUPLED) {
                theta.muli(1 - lr * weightDecay);
            }
            OptimizerState.axpy(-lr / biasCorrection1, scratch, theta);
        }
        steps++;
    }

    /**
     * One step on a plain vector, updated in place: for small hyperparameter vectors (copies through a float64
     * array, so not for hot paths). The same instance must always get vectors of the same length.
     */
    public void step(double[] parameters, double[] gradients) {
        INDArray theta = Nd4j.createFromArray(parameters.clone());
        INDArray g = Nd4j.createFromArray(gradients.clone());
        step(List.of(theta), List.of(g));
        System.arraycopy(theta.toDoubleVector(), 0, parameters, 0, parameters.length);
    }

    @Override
    public OptimizerSnapshot snapshot() {
        return new OptimizerSnapshot(steps, state.export());
    }

    @Override
    public void restore(OptimizerSnapshot snapshot) {
        state.restore(snapshot.buffers());
        steps = snapshot.steps();
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public double learningRate() {
        return schedule.rate(steps);
    }

    /** Options of {@link Adam}. */
    public static final class Builder {
        private LearningRateSchedule schedule;
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double weightDecay;
        private WeightDecay decayMode = WeightDecay.L2;

        private Builder() {
        }

        /** A constant learning rate, finite and > 0. */
        public Builder learningRate(double rate) {
            this.schedule = LearningRateSchedule.constant(rate);
            return this;
        }

        /** A learning-rate schedule over steps. */
        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = Objects.requireNonNull(schedule, "schedule");
            return this;
        }

        /** Decay rates of the first and second moment averages, each in [0, 1). */
        public Builder betas(double beta1, double beta2) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            return this;
        }

        /** Added to the root of the second moment to avoid division by zero, > 0. */
        public Builder epsilon(double epsilon) {
            this.epsilon = epsilon;
            return this;
        }

        /** Weight decay coefficient (>= 0) added to the gradient as L2 regularisation, as in PyTorch's Adam. */
        public Builder weightDecay(double weightDecay) {
            return weightDecay(weightDecay, WeightDecay.L2);
        }

        /** Weight decay coefficient (>= 0) and how it is applied ({@link WeightDecay#DECOUPLED} gives AdamW). */
        public Builder weightDecay(double weightDecay, WeightDecay mode) {
            this.weightDecay = weightDecay;
            this.decayMode = mode;
            return this;
        }

        /** The optimiser; throws {@link IllegalArgumentException} naming any invalid setting. */
        public Adam build() {
            return new Adam(this);
        }
    }
}
