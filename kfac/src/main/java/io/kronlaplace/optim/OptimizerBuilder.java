package io.kronlaplace.optim;

import java.util.Objects;

/**
 * The options every optimiser here shares, the learning rate and the weight decay, with their setters and checks.
 * {@code B} is the concrete builder, so that the setters chain into its own options.
 */
abstract class OptimizerBuilder<B extends OptimizerBuilder<B>> {
    private LearningRateSchedule schedule;
    private double weightDecay;
    private WeightDecay decayMode = WeightDecay.L2;

    /** This builder as its concrete type. */
    abstract B self();

    /** A constant learning rate, finite and > 0. */
    public B learningRate(double rate) {
        this.schedule = LearningRateSchedule.constant(rate);
        return self();
    }

    /** A learning-rate schedule over steps. */
    public B schedule(LearningRateSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        return self();
    }

    /** Weight decay coefficient (>= 0) added to the gradient as L2 regularisation, as in PyTorch. */
    public B weightDecay(double weightDecay) {
        return weightDecay(weightDecay, WeightDecay.L2);
    }

    /** Weight decay coefficient (>= 0) and how it is applied. */
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
