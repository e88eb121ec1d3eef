package io.kronlaplace.optim;

import java.util.Objects;

/**
 * The options every optimiser here shares, the learning rate (or a schedule) and the weight decay, with their setters
 * and checks: the common part of {@link Sgd.Builder}, {@link Adam.Builder} and {@link KfacOptimizer.Builder}. It is
 * public so that these setters appear in the optimisers' documentation; only this package extends it.
 *
 * @param <B> the concrete builder, so that the setters chain into its own options
 */
public abstract class OptimizerBuilder<B extends OptimizerBuilder<B>> {
    private LearningRateSchedule schedule;
    private double weightDecay;
    private WeightDecay decayMode = WeightDecay.L2;

    /** Package-private: the optimisers of this package are the only subclasses. */
    OptimizerBuilder() {
    }

    /** This builder as its concrete type. */
    abstract B self();

    /**
     * A constant learning rate; replaces any schedule set before.
     *
     * @param rate the learning rate, finite and &gt; 0 (checked by the schedule)
     * @return this builder
     * @throws IllegalArgumentException when the rate is not positive and finite
     */
    public B learningRate(double rate) {
        this.schedule = LearningRateSchedule.constant(rate);
        return self();
    }

    /**
     * A learning-rate schedule over steps; replaces any constant rate set before.
     *
     * @param schedule the learning rate as a function of the step
     * @return this builder
     * @throws NullPointerException when the schedule is null
     */
    public B schedule(LearningRateSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        return self();
    }

    /**
     * Weight decay added to the gradient as L2 regularisation, as in PyTorch.
     *
     * @param weightDecay the coefficient, finite and &gt;= 0 (0, the default, is no decay); checked when building
     * @return this builder
     */
    public B weightDecay(double weightDecay) {
        return weightDecay(weightDecay, WeightDecay.L2);
    }

    /**
     * Weight decay and how it is applied.
     *
     * @param weightDecay the coefficient, finite and &gt;= 0; checked when building
     * @param mode        L2 (added to the gradient) or decoupled (shrinks the weights directly)
     * @return this builder
     */
    public B weightDecay(double weightDecay, WeightDecay mode) {
        this.weightDecay = weightDecay;
        this.decayMode = mode;
        return self();
    }

    /** The schedule set by {@link #learningRate} or {@link #schedule}; throws when neither was called. */
    LearningRateSchedule requireSchedule() {
        return Objects.requireNonNull(schedule, "learning rate (set learningRate or schedule)");
    }

    /** The weight decay setting, checked; {@code what} names the coefficient in the exception message. */
    WeightDecaySetting requireWeightDecay(String what) {
        return WeightDecaySetting.of(weightDecay, decayMode, what);
    }
}
