package io.kronlaplace.optim;

import java.util.List;
import java.util.Objects;
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
public final class Sgd implements Optimizer {
    private final LearningRateSchedule schedule;
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final WeightDecay decayMode;
    private final OptimizerState state = new OptimizerState(2);
    private long steps;

    private Sgd(Builder b) {
        this.schedule = Objects.requireNonNull(b.schedule, "learning rate (set learningRate or schedule)");
        this.momentum = OptimizerState.requireUnitInterval(b.momentum, "SGD momentum");
        if (b.nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0, got " + momentum);
        }
        this.nesterov = b.nesterov;
        this.weightDecay = OptimizerState.requireNonNegative(b.weightDecay, "SGD weight decay");
        this.decayMode = Objects.requireNonNull(b.decayMode, "weight decay mode");
    }

    /** A builder; the learning rate (or a schedule) is required, everything else defaults to plain SGD. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public void step(List<INDArray> parameters, List<INDArray> gradients) {
        List<INDArray[]> buffers = state.prepare(parameters, gradients);
        double lr = LearningRateSchedule.requirePositiveRate(schedule.rate(steps), "learning rate at step " + steps);
        boolean l2 = weightDecay > 0 && decayMode == WeightDecay.L2;
        for (int i = 0; i < parameters.size(); i++) {
            INDArray theta = parameters.get(i);
            INDArray gradient = gradients.get(i);
            INDArray momentumBuffer = buffers.get(i)[0];
            INDArray scratch = buffers.get(i)[1];
            // Each branch reads and writes as few full arrays as its rule needs: the update is memory-bound.
            INDArray direction;
            if (momentum > 0) {
                momentumBuffer.muli(momentum).addi(gradient);
                if (l2) {
                    OptimizerState.axpy(weightDecay, theta, momentumBuffer);
                }
                if (nesterov) {
                    direction = scratch.assign(gradient);
                    if (l2) {
                        OptimizerState.axpy(weightDecay, theta, direction);
                    }
                    OptimizerState.axpy(momentum, momentumBuffer, direction);
                } else {
                    direction = momentumBuffer;
                }
            } else if (l2) {
                direction = scratch.assign(gradient);
                OptimizerState.axpy(weightDecay, theta, direction);
            } else {
                direction = gradient;
            }
            if (weightDecay > 0 && decayMode == WeightDecay.DECOUPLED) {
                theta.muli(1 - lr * weightDecay);
            }
            OptimizerState.axpy(-lr, direction, theta);
        }
        steps++;
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

    /** Options of {@link Sgd}. */
    public static final class Builder {
        private LearningRateSchedule schedule;
        private double momentum;
        private boolean nesterov;
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

        /** Momentum coefficient in [0, 1); 0 (the default) is plain SGD. */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /** Nesterov momentum (needs momentum > 0); off by default. */
        public Builder nesterov(boolean nesterov) {
            this.nesterov = nesterov;
            return this;
        }

        /** Weight decay coefficient (>= 0) added to the gradient as L2 regularisation, as in PyTorch. */
        public Builder weightDecay(double weightDecay) {
            return weightDecay(weightDecay, WeightDecay.L2);
        }

        /** Weight decay coefficient (>= 0) and how it is applied. */
        public Builder weightDecay(double weightDecay, WeightDecay mode) {
            this.weightDecay = weightDecay;
            this.decayMode = mode;
            return this;
        }

        /** The optimiser; throws {@link IllegalArgumentException} naming any invalid setting. */
        public Sgd build() {
            return new Sgd(this);
        }
    }
}
