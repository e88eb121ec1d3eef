package io.kronlaplace.optim;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.linalg.ComputeDevices;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.WeightLayer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * K-FAC (Martens and Grosse 2015): SGD with momentum on natural gradients preconditioned by Kronecker-factored
 * curvature from the {@link KfacEstimator} (K-FAC-expand or -reduce; GGN, MC Fisher or empirical Fisher, as set in
 * the {@link KfacOptions}).
 *
 * <p>Each {@link #step(INDArray, INDArray)} expects the gradient of the MEAN loss over the batch in the network's
 * {@link Parameter#grad()} (forward and backward done by the caller), then:
 * <ol>
 *   <li>every {@code factorUpdateInterval} steps, fits the factors on the same batch and folds them into running
 *       averages {@code F = decay F + (1 - decay) F_batch} (the first batch initialises them);</li>
 *   <li>every {@code inverseUpdateInterval} steps, eigendecomposes the running factors
 *       {@code A = Q_A diag(l_A) Q_A^T}, {@code B = Q_B diag(l_B) Q_B^T};</li>
 *   <li>for each Linear/Conv2d weight, with its gradient {@code G} ({@code Dout x Din}, plus {@code lambda W} with L2
 *       weight decay), the direction {@code Q_B [(Q_B^T G Q_A) / (l_B l_A^T + damping)] Q_A^T}, that is
 *       {@code (B (x) A + damping I)^{-1} vec(G)};</li>
 *   <li>an {@link Sgd} step with momentum on these directions (decoupled weight decay, if chosen, is applied
 *       there).</li>
 * </ol>
 *
 * <p>Scaling: the estimator's factors are for the SUMMED loss over the batch (A an average over examples, B a sum);
 * B is divided by the batch's number of examples so that B (x) A approximates the GGN of the MEAN loss whose
 * gradient is being preconditioned. The damping is therefore on the scale of the mean loss's curvature eigenvalues,
 * and a learning rate near 1 is a damped Newton step on it.
 *
 * <p>Biases and every other parameter without Kronecker factors (normalisation scales, Fixup scalars, and weights
 * before their first factor update) take plain SGD-with-momentum steps on their gradient: K-FAC's bias block would
 * need its own damping and brings little, and keeping them unpreconditioned makes the learning rate apply to them
 * unchanged.
 *
 * <p>Stale curvature: the inverse is refreshed only every {@code inverseUpdateInterval} steps and the factors average
 * over roughly {@code 1 / (1 - factorDecay)} updates. While the weights move fast (early training, large steps) old
 * curvature can underestimate the new one and overshoot; raise the damping or refresh more often then. On the small
 * regression MLP of the tests, damping 1e-3 with a refresh every 5 steps diverged, while a refresh every step without
 * averaging reached a far lower loss than tuned SGD.
 *
 * <p>Directions and momentum live in preallocated arrays; the preconditioning uses {@code Nd4j.gemm} into
 * preallocated outputs. Not thread-safe; a factor update overwrites the layers' forward caches (after the caller's
 * backward pass, so the gradients are unaffected).
 */
public final class KfacOptimizer {
    private final Network network;
    private final Likelihood likelihood;
    private final KfacOptions kfacOptions;
    private final double damping;
    private final double factorDecay;
    private final int factorUpdateInterval;
    private final int inverseUpdateInterval;
    private final WeightDecaySetting decay;
    private final Sgd sgd;
    private final Map<Parameter, KronPreconditioner> preconditioners = new IdentityHashMap<>();
    private final Map<String, KronPreconditioner> byLayerPath = new LinkedHashMap<>();
    private final List<INDArray> directions = new ArrayList<>();
    private long steps;

    private KfacOptimizer(Builder b) {
        this.network = b.network;
        this.likelihood = b.likelihood;
        this.kfacOptions = Objects.requireNonNull(b.kfacOptions, "kfacOptions");
        if (!(b.damping > 0) || !Double.isFinite(b.damping)) {
            throw new IllegalArgumentException("K-FAC damping must be finite and > 0, got " + b.damping);
        }
        this.damping = b.damping;
        this.factorDecay = OptimizerState.requireUnitInterval(b.factorDecay, "K-FAC factor decay");
        if (b.factorUpdateInterval < 1 || b.inverseUpdateInterval < 1) {
            throw new IllegalArgumentException("K-FAC update intervals must be >= 1, got factorUpdateInterval="
                    + b.factorUpdateInterval + ", inverseUpdateInterval=" + b.inverseUpdateInterval);
        }
        this.factorUpdateInterval = b.factorUpdateInterval;
        this.inverseUpdateInterval = b.inverseUpdateInterval;
        this.decay = b.requireWeightDecay("K-FAC weight decay");
        Sgd.Builder sgdBuilder = Sgd.builder().schedule(b.requireSchedule()).momentum(b.momentum);
        if (decay.mode() == WeightDecay.DECOUPLED) {
            sgdBuilder.weightDecay(decay.coefficient(), WeightDecay.DECOUPLED);
        }
        this.sgd = sgdBuilder.build();
        ComputeKernels kernels = ComputeDevices.named(kfacOptions.device());
        for (WeightLayer layer : network.weightLayers()) {
            KronPreconditioner p = new KronPreconditioner(layer, kfacOptions.flavour(), kernels);
            preconditioners.put(layer.weight(), p);
            byLayerPath.put(layer.path(), p);
        }
    }

    /**
     * A builder for the network and the likelihood whose MEAN loss is being minimised.
     *
     * @param network    the model; its Linear and Conv2d weights are preconditioned
     * @param likelihood the training loss (curvature of its summed form comes from the estimator)
     * @return a new builder in which the learning rate (or a schedule) must still be set
     * @throws NullPointerException when the network or the likelihood is null
     */
    public static Builder builder(Network network, Likelihood likelihood) {
        return new Builder(Objects.requireNonNull(network, "network"), Objects.requireNonNull(likelihood,
                "likelihood"));
    }

    /**
     * One K-FAC step from the mean-loss gradients already in the network's parameters.
     *
     * @param inputs  the batch the gradients were computed on (used for the factors on factor-update steps)
     * @param targets its targets (class indices or values; needed by the empirical Fisher, may be null otherwise)
     * @throws IllegalArgumentException when a gradient holds NaN or infinity, or on a factor-update step when the
     *                                  batch's shapes do not fit the network or the options
     */
    public void step(INDArray inputs, INDArray targets) {
        if (steps % factorUpdateInterval == 0) {
            updateFactors(inputs, targets);
        }
        if (steps % inverseUpdateInterval == 0) {
            for (KronPreconditioner p : byLayerPath.values()) {
                if (p.hasFactors()) {
                    p.refreshInverse(damping);
                }
            }
        }
        List<INDArray> values = new ArrayList<>(network.parameters().size());
        List<Parameter> params = new ArrayList<>(network.parameters().values());
        for (Parameter p : params) {
            OptimizerState.requireFinite(p.grad(), "gradient of parameter '" + p.name() + "'");
        }
        if (directions.isEmpty()) {
            for (Parameter p : params) {
                directions.add(Nd4j.create(p.value().dataType(), p.value().shape()));
            }
        }
        for (int i = 0; i < params.size(); i++) {
            Parameter p = params.get(i);
            INDArray direction = directions.get(i);
            direction.assign(p.grad());
            decay.addL2(p.value(), direction);
            KronPreconditioner kron = preconditioners.get(p);
            if (kron != null && kron.hasInverse()) {
                kron.precondition(direction, direction);
            }
            values.add(p.value());
        }
        sgd.step(values, directions);
        steps++;
    }

    private void updateFactors(INDArray inputs, INDArray targets) {
        // A fresh estimator per update: it starts from zero sums, and its seed moves on so MC-Fisher label draws
        // differ between updates.
        KfacEstimator estimator = new KfacEstimator(network, likelihood,
                kfacOptions.toBuilder().seed(kfacOptions.seed() + steps).build());
        estimator.accumulate(inputs, targets);
        Map<String, KronFactors> factors = estimator.factors();
        for (Map.Entry<String, KronFactors> e : factors.entrySet()) {
            KronPreconditioner p = byLayerPath.get(e.getKey());
            if (p != null) {
                p.updateFactors(e.getValue(), estimator.examplesSeen(), factorDecay);
            }
        }
        KronFactors.closeAll(factors.values());
    }

    /**
     * Number of steps done so far.
     *
     * @return the count of completed {@link #step} calls; it also decides which steps update factors and inverses
     */
    public long steps() {
        return steps;
    }

    /**
     * The learning rate the next step will use.
     *
     * @return the schedule's rate at the next step, applied to the preconditioned directions
     */
    public double learningRate() {
        return sgd.learningRate();
    }

    /** Options of {@link KfacOptimizer}. */
    public static final class Builder extends OptimizerBuilder<Builder> {
        private final Network network;
        private final Likelihood likelihood;
        private double momentum = 0.9;
        private double damping = 1e-3;
        private double factorDecay = 0.95;
        private int factorUpdateInterval = 1;
        private int inverseUpdateInterval = 10;
        private KfacOptions kfacOptions = KfacOptions.defaults();

        private Builder(Network network, Likelihood likelihood) {
            this.network = network;
            this.likelihood = likelihood;
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Sets the momentum on the preconditioned directions.
         *
         * @param momentum in [0, 1) (checked by {@link #build()}); default 0.9
         * @return this builder
         */
        public Builder momentum(double momentum) {
            this.momentum = momentum;
            return this;
        }

        /**
         * Sets the Tikhonov damping added to every eigenvalue of B (x) A.
         *
         * @param damping finite and &gt; 0 (checked by {@link #build()}), on the scale of the mean loss's curvature
         *                eigenvalues; default 1e-3
         * @return this builder
         */
        public Builder damping(double damping) {
            this.damping = damping;
            return this;
        }

        /**
         * Sets the weight of the old factors in their running average.
         *
         * @param decay in [0, 1) (checked by {@link #build()}); default 0.95, and 0 keeps only the newest factors
         * @return this builder
         */
        public Builder factorDecay(double decay) {
            this.factorDecay = decay;
            return this;
        }

        /**
         * Sets how often the factors are fitted.
         *
         * @param steps steps between factor updates, &gt;= 1 (checked by {@link #build()}); default 1
         * @return this builder
         */
        public Builder factorUpdateInterval(int steps) {
            this.factorUpdateInterval = steps;
            return this;
        }

        /**
         * Sets how often the running factors are eigendecomposed.
         *
         * @param steps steps between eigendecompositions, &gt;= 1 (checked by {@link #build()}); default 10
         * @return this builder
         */
        public Builder inverseUpdateInterval(int steps) {
            this.inverseUpdateInterval = steps;
            return this;
        }

        /**
         * Sets how the factors are estimated.
         *
         * @param options flavour, curvature type, MC samples, shared rows, seed and device of the factor estimation;
         *                not null; default {@link KfacOptions#defaults()} (GGN, REDUCE)
         * @return this builder
         * @throws NullPointerException when {@code options} is null
         */
        public Builder kfacOptions(KfacOptions options) {
            this.kfacOptions = Objects.requireNonNull(options, "kfacOptions");
            return this;
        }

        /**
         * The optimiser with the settings made so far.
         *
         * @return a new optimiser with a preconditioner per weight layer and no factors yet
         * @throws NullPointerException     when neither a learning rate nor a schedule was set
         * @throws IllegalArgumentException naming any invalid setting or an unknown compute device
         */
        public KfacOptimizer build() {
            return new KfacOptimizer(this);
        }
    }
}
