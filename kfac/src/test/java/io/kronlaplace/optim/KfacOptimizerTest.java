package io.kronlaplace.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.curvature.KfacEstimator;
import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.likelihood.Gaussian;
import io.kronlaplace.likelihood.Likelihood;
import io.kronlaplace.likelihood.Reduction;
import io.kronlaplace.nn.BackwardContext;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Parameter;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import io.kronlaplace.nn.WeightLayer;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class KfacOptimizerTest {
    private static final double[] FEATURE_SCALES = {3.0, 1.0, 0.1, 0.03};

    /** Inputs whose features have very different scales: an ill-conditioned curvature for first-order methods. */
    private static INDArray scaledInputs(SplittableRandom random, int n) {
        double[][] x = new double[n][FEATURE_SCALES.length];
        for (double[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = FEATURE_SCALES[j] * (2 * random.nextDouble() - 1);
            }
        }
        return Nd4j.createFromArray(x);
    }

    private record Problem(Supplier<Network> model, Likelihood likelihood, INDArray inputs, INDArray targets) {
        double loss(Network net) {
            return likelihood.loss(net.forward(inputs, Mode.EVAL), targets, Reduction.MEAN);
        }

        void computeGradients(Network net) {
            net.zeroGrad();
            INDArray f = net.forward(inputs, Mode.TRAIN);
            net.backward(likelihood.gradient(f, targets, Reduction.MEAN), BackwardContext.training());
        }

        /** Best final loss of SGD over momentum 0 and 0.9 and the learning rates (divergence counts as infinite). */
        double bestSgd(int steps, double... rates) {
            double best = Double.POSITIVE_INFINITY;
            for (double momentum : new double[] {0, 0.9}) {
                for (double lr : rates) {
                    Network net = model.get();
                    Sgd sgd = Sgd.builder().learningRate(lr).momentum(momentum).build();
                    double loss = run(net, steps, () -> sgd.step(net));
                    System.out.printf("  SGD  momentum %.1f lr %-5s loss after %d steps: %.4g%n", momentum, lr, steps,
                            loss);
                    best = Math.min(best, loss);
                }
            }
            return best;
        }

        /** Best final loss of K-FAC (fresh curvature every step, no momentum) over the learning rates. */
        double bestKfac(int steps, double damping, double... rates) {
            double best = Double.POSITIVE_INFINITY;
            for (double lr : rates) {
                Network net = model.get();
                KfacOptimizer kfac = KfacOptimizer.builder(net, likelihood).learningRate(lr).momentum(0)
                        .damping(damping).factorDecay(0).inverseUpdateInterval(1).build();
                double loss = run(net, steps, () -> kfac.step(inputs, targets));
                System.out.printf("  KFAC damping %.0e lr %-5s loss after %d steps: %.4g%n", damping, lr, steps, loss);
                best = Math.min(best, loss);
            }
            return best;
        }

        /** Final mean loss; a run whose weights or outputs stop being finite counts as infinitely bad. */
        private double run(Network net, int steps, Runnable step) {
            try {
                for (int s = 0; s < steps; s++) {
                    computeGradients(net);
                    step.run();
                }
                return loss(net);
            } catch (IllegalArgumentException diverged) {
                return Double.POSITIVE_INFINITY;
            }
        }
    }

    /** (B (x) A + damping I)^{-1} vec(G) with the Kronecker product written out densely and solved by EJML. */
    private static double[] denseDampedSolve(INDArray a, INDArray b, INDArray g, double damping) {
        int din = (int) a.size(0);
        int dout = (int) b.size(0);
        int d = din * dout;
        DMatrixRMaj k = new DMatrixRMaj(d, d);
        for (int i = 0; i < dout; i++) {
            for (int j = 0; j < din; j++) {
                for (int p = 0; p < dout; p++) {
                    for (int q = 0; q < din; q++) {
                        k.set(i * din + j, p * din + q, b.getDouble(i, p) * a.getDouble(j, q)
                                + (i == p && j == q ? damping : 0));
                    }
                }
            }
        }
        DMatrixRMaj rhs = new DMatrixRMaj(d, 1, true, g.dup('c').data().asDouble());
        DMatrixRMaj x = new DMatrixRMaj(d, 1);
        assertTrue(CommonOps_DDRM.solve(k, rhs, x));
        return x.data;
    }

    @Test
    void firstStepIsTheDampedKroneckerSolveOfTheMeanLossGradientAndPlainSgdForBiases() {
        for (Likelihood likelihood : new Likelihood[] {new Gaussian(0.5),
                new io.kronlaplace.likelihood.CrossEntropy()}) {
            SplittableRandom random = new SplittableRandom(5);
            INDArray x = scaledInputs(random, 6);
            INDArray y = likelihood instanceof Gaussian ? Nd4j.rand(DataType.DOUBLE, 6, 3)
                    : Nd4j.createFromArray(0, 2, 1, 1, 0, 2);
            Supplier<Network> model = () -> new Network(new Sequential(
                    new Linear(4, 5, true, new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL)), new ReLU(),
                    new Linear(5, 3, true, new Init(2, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL))));
            Network net = model.get();
            Problem p = new Problem(model, likelihood, x, y);
            KfacEstimator estimator = new KfacEstimator(model.get(), likelihood, KfacOptions.defaults());
            estimator.accumulate(x, y);
            java.util.Map<String, KronFactors> factors = estimator.factors();

            p.computeGradients(net);
            java.util.Map<String, INDArray> before = new java.util.LinkedHashMap<>();
            java.util.Map<String, INDArray> grads = new java.util.LinkedHashMap<>();
            net.parameters().forEach((name, param) -> {
                before.put(name, param.value().dup());
                grads.put(name, param.grad().dup());
            });
            double lr = 0.7;
            double damping = 0.05;
            KfacOptimizer kfac = KfacOptimizer.builder(net, likelihood).learningRate(lr).momentum(0).damping(damping)
                    .build();
            kfac.step(x, y);

            for (WeightLayer layer : net.weightLayers()) {
                KronFactors f = factors.get(layer.path());
                double[] solved = denseDampedSolve(f.a(), f.b().div(6), grads.get(layer.path() + ".weight"), damping);
                String name = layer.path() + ".weight";
                double[] step = net.parameter(name).value().sub(before.get(name)).dup('c').data().asDouble();
                for (int i = 0; i < solved.length; i++) {
                    assertEquals(-lr * solved[i], step[i], 1e-10 * (1 + Math.abs(lr * solved[i])), name + " " + i);
                }
                String bias = layer.path() + ".bias";
                INDArray biasStep = net.parameter(bias).value().sub(before.get(bias));
                assertTrue(biasStep.equalsWithEps(grads.get(bias).mul(-lr), 1e-14), bias + " takes a plain SGD step");
            }
        }
    }

    @Test
    void weightDecayIsPreconditionedAsL2OrAppliedOutsideWhenDecoupled() {
        Gaussian likelihood = new Gaussian(0.5);
        INDArray x = scaledInputs(new SplittableRandom(6), 5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 5, 2);
        Supplier<Network> model = () -> new Network(new Sequential(new Linear(4, 2, true,
                new Init(3, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL))));
        KfacEstimator estimator = new KfacEstimator(model.get(), likelihood, KfacOptions.defaults());
        estimator.accumulate(x, y);
        KronFactors f = estimator.factors().get("0");
        double lr = 0.4;
        double damping = 0.05;
        double wd = 0.3;
        for (WeightDecay mode : WeightDecay.values()) {
            Network net = model.get();
            new Problem(model, likelihood, x, y).computeGradients(net);
            INDArray w = net.parameter("0.weight").value().dup();
            INDArray g = net.parameter("0.weight").grad().dup();
            KfacOptimizer.builder(net, likelihood).learningRate(lr).momentum(0).damping(damping)
                    .weightDecay(wd, mode).build().step(x, y);
            INDArray expected;
            if (mode == WeightDecay.L2) {
                double[] solved = denseDampedSolve(f.a(), f.b().div(5), g.add(w.mul(wd)), damping);
                expected = w.sub(Nd4j.createFromArray(solved).reshape(w.shape()).mul(lr));
            } else {
                double[] solved = denseDampedSolve(f.a(), f.b().div(5), g, damping);
                expected = w.mul(1 - lr * wd).sub(Nd4j.createFromArray(solved).reshape(w.shape()).mul(lr));
            }
            assertTrue(net.parameter("0.weight").value().equalsWithEps(expected, 1e-10), mode.toString());
        }
    }

    /** Factors (A, B / N) of the output layer "2" at the network's current weights on one batch. */
    private static INDArray[] meanLossFactors(Supplier<Network> model, Network current, Likelihood likelihood,
                                              INDArray x, INDArray y) {
        Network copy = model.get();
        copy.setFlatParameters(current.flatParameters());
        KfacEstimator estimator = new KfacEstimator(copy, likelihood, KfacOptions.defaults());
        estimator.accumulate(x, y);
        KronFactors f = estimator.factors().get("2");
        return new INDArray[] {f.a(), f.b().div(x.size(0))};
    }

    @Test
    void runningAverageOfFactorsAndStaleInverseBetweenRefreshes() {
        Gaussian likelihood = new Gaussian(0.8);
        Supplier<Network> model = () -> new Network(new Sequential(
                new Linear(3, 4, true, new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL)), new ReLU(),
                new Linear(4, 2, true, new Init(2, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL))));
        SplittableRandom random = new SplittableRandom(9);
        INDArray[] xs = new INDArray[3];
        INDArray[] ys = new INDArray[3];
        for (int t = 0; t < 3; t++) {
            xs[t] = Nd4j.rand(DataType.DOUBLE, 5, 3).subi(0.5).muli(1 + t + random.nextDouble());
            ys[t] = Nd4j.rand(DataType.DOUBLE, 5, 2);
        }
        Network net = model.get();
        double lr = 0.3;
        double damping = 0.02;
        KfacOptimizer kfac = KfacOptimizer.builder(net, likelihood).learningRate(lr).momentum(0).damping(damping)
                .factorDecay(0.5).inverseUpdateInterval(2).build();
        INDArray[][] factors = new INDArray[3][];
        for (int t = 0; t < 3; t++) {
            factors[t] = meanLossFactors(model, net, likelihood, xs[t], ys[t]);
            new Problem(model, likelihood, xs[t], ys[t]).computeGradients(net);
            INDArray gradient = net.parameter("2.weight").grad().dup();
            INDArray before = net.parameter("2.weight").value().dup();
            kfac.step(xs[t], ys[t]);
            // Step 0 uses F0; step 1 still uses the inverse of F0 (refresh every 2 steps) although the running
            // factors already hold (F0 + F1) / 2; step 2 refreshes to (F0 + F1) / 4 + F2 / 2.
            double[] weights = t == 2 ? new double[] {0.25, 0.25, 0.5} : new double[] {1, 0, 0};
            INDArray a = factors[0][0].mul(weights[0]);
            INDArray b = factors[0][1].mul(weights[0]);
            for (int k = 1; k <= t; k++) {
                a.addi(factors[k][0].mul(weights[k]));
                b.addi(factors[k][1].mul(weights[k]));
            }
            double[] solved = denseDampedSolve(a, b, gradient, damping);
            double[] step = net.parameter("2.weight").value().sub(before).dup('c').data().asDouble();
            for (int i = 0; i < solved.length; i++) {
                assertEquals(-lr * solved[i], step[i], 1e-10 * (1 + Math.abs(lr * solved[i])), "step " + t + " " + i);
            }
        }
    }

    @Test
    void convolutionKernelStepIsTheDampedKroneckerSolveOfItsMatrixView() {
        Gaussian likelihood = new Gaussian(1.0);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 4, 4).subi(0.5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2);
        Supplier<Network> model = () -> new Network(new Sequential(
                new io.kronlaplace.nn.Conv2d(2, 3, 3, 1, 1, true, new Init(1, DataType.DOUBLE,
                        Init.Scheme.KAIMING_NORMAL)), new ReLU(), new io.kronlaplace.nn.Flatten(),
                new Linear(48, 2, true, new Init(2, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL))));
        KfacEstimator estimator = new KfacEstimator(model.get(), likelihood, KfacOptions.defaults());
        estimator.accumulate(x, y);
        KronFactors f = estimator.factors().get("0");
        Network net = model.get();
        new Problem(model, likelihood, x, y).computeGradients(net);
        Parameter kernel = net.parameter("0.weight");
        INDArray before = kernel.value().dup();
        INDArray gradient = kernel.grad().dup();
        double lr = 0.5;
        double damping = 0.1;
        KfacOptimizer.builder(net, likelihood).learningRate(lr).momentum(0).damping(damping).build().step(x, y);
        double[] solved = denseDampedSolve(f.a(), f.b().div(3), gradient.reshape(3, 18), damping);
        double[] step = kernel.value().sub(before).dup('c').data().asDouble();
        assertArrayEquals(new long[] {3, 2, 3, 3}, kernel.value().shape());
        for (int i = 0; i < solved.length; i++) {
            assertEquals(-lr * solved[i], step[i], 1e-10 * (1 + Math.abs(lr * solved[i])), "kernel element " + i);
        }
    }

    @Test
    void float32NetworkTakesTheSameStepsAsFloat64() {
        SplittableRandom random = new SplittableRandom(8);
        INDArray x = scaledInputs(random, 8);
        INDArray y = Nd4j.createFromArray(0, 1, 2, 0, 1, 2, 2, 1);
        io.kronlaplace.likelihood.CrossEntropy ce = new io.kronlaplace.likelihood.CrossEntropy();
        Network[] nets = new Network[2];
        for (int k = 0; k < 2; k++) {
            nets[k] = new Network(new Sequential(
                    new Linear(4, 6, true, new Init(1, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL)), new ReLU(),
                    new Linear(6, 3, true, new Init(2, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL))));
            DataType type = k == 0 ? DataType.DOUBLE : DataType.FLOAT;
            nets[k].castTo(type);
            Problem p = new Problem(null, ce, x.castTo(type), y);
            KfacOptimizer kfac = KfacOptimizer.builder(nets[k], ce).learningRate(0.2).damping(0.1)
                    .inverseUpdateInterval(2).build();
            for (int s = 0; s < 4; s++) {
                p.computeGradients(nets[k]);
                kfac.step(p.inputs(), y);
            }
        }
        INDArray reference = nets[0].flatParameters();
        INDArray single = nets[1].flatParameters().castTo(DataType.DOUBLE);
        assertEquals(DataType.FLOAT, nets[1].dataType());
        assertTrue(single.equalsWithEps(reference, 1e-4), "float32 " + single + " vs float64 " + reference);
    }

    @Test
    void fasterThanTunedSgdOnIllConditionedLinearRegression() {
        SplittableRandom random = new SplittableRandom(21);
        INDArray x = scaledInputs(random, 64);
        INDArray teacher = Nd4j.createFromArray(new double[][] {{1, -2, 30, -50}, {0.5, 1, -20, 80}});
        Gaussian likelihood = new Gaussian(1.0);
        INDArray y = x.mmul(teacher.transpose());
        Supplier<Network> model = () -> new Network(new Sequential(new Linear(4, 2, true,
                new Init(7, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL))));
        Problem p = new Problem(model, likelihood, x, y);
        double floor = likelihood.loss(y, y, Reduction.MEAN);
        int steps = 20;
        double sgd = p.bestSgd(steps, 0.03, 0.1, 0.3, 1.0) - floor;
        double kfac = p.bestKfac(steps, 1e-4, 0.5, 1.0) - floor;
        System.out.printf("linear regression, excess loss after %d steps: K-FAC %.3e, SGD %.3e%n", steps, kfac, sgd);
        assertTrue(kfac < 0.01 * sgd, "K-FAC excess loss " + kfac + " vs SGD " + sgd);
    }

    @Test
    void fasterThanTunedSgdOnAnMlpRegressionWithBadlyScaledInputs() {
        SplittableRandom random = new SplittableRandom(22);
        INDArray x = scaledInputs(random, 64);
        double[][] y = new double[64][2];
        for (int n = 0; n < y.length; n++) {
            double x0 = x.getDouble(n, 0);
            y[n][0] = Math.sin(x0) + 10 * x.getDouble(n, 2) - 20 * Math.abs(x.getDouble(n, 3));
            y[n][1] = 0.5 * x.getDouble(n, 1) * x0 + 30 * x.getDouble(n, 3);
        }
        Gaussian likelihood = new Gaussian(1.0);
        INDArray targets = Nd4j.createFromArray(y);
        Problem p = new Problem(() -> new Network(new Sequential(
                new Linear(4, 16, true, new Init(3, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL)), new ReLU(),
                new Linear(16, 2, true, new Init(4, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL)))),
                likelihood, x, targets);
        double floor = likelihood.loss(targets, targets, Reduction.MEAN);
        int steps = 25;
        double sgd = p.bestSgd(steps, 0.03, 0.1, 0.3) - floor;
        double kfac = p.bestKfac(steps, 1e-3, 0.1, 0.3) - floor;
        System.out.printf("MLP regression, excess loss after %d steps: K-FAC %.3e, SGD %.3e%n", steps, kfac, sgd);
        assertTrue(kfac < 0.25 * sgd, "K-FAC excess loss " + kfac + " vs SGD " + sgd);
    }

    @Test
    void rejectsBadHyperparameters() {
        Network net = new Network(new Sequential(new Linear(2, 2, true, new Init(1, DataType.DOUBLE,
                Init.Scheme.KAIMING_NORMAL))));
        Gaussian g = new Gaussian(1);
        assertThrows(IllegalArgumentException.class, () -> KfacOptimizer.builder(net, g).learningRate(0).build());
        assertThrows(NullPointerException.class, () -> KfacOptimizer.builder(net, g).build());
        assertThrows(IllegalArgumentException.class,
                () -> KfacOptimizer.builder(net, g).learningRate(0.1).momentum(1).build());
        IllegalArgumentException damping = assertThrows(IllegalArgumentException.class,
                () -> KfacOptimizer.builder(net, g).learningRate(0.1).damping(0).build());
        assertTrue(damping.getMessage().contains("damping"), damping.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> KfacOptimizer.builder(net, g).learningRate(0.1).factorDecay(1).build());
        assertThrows(IllegalArgumentException.class,
                () -> KfacOptimizer.builder(net, g).learningRate(0.1).inverseUpdateInterval(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> KfacOptimizer.builder(net, g).learningRate(0.1).factorUpdateInterval(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> KfacOptimizer.builder(net, g).learningRate(0.1).weightDecay(-1).build());
    }

    @Test
    void rejectsNonFiniteGradientsWithoutChangingTheWeights() {
        Network net = new Network(new Sequential(new Linear(2, 2, true, new Init(1, DataType.DOUBLE,
                Init.Scheme.KAIMING_NORMAL))));
        KfacOptimizer kfac = KfacOptimizer.builder(net, new Gaussian(1)).learningRate(0.1).build();
        INDArray before = net.flatParameters();
        net.parameter("0.bias").grad().putScalar(1, Double.NaN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kfac.step(Nd4j.ones(DataType.DOUBLE, 3, 2), Nd4j.ones(DataType.DOUBLE, 3, 2)));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
        assertEquals(before, net.flatParameters());
        assertEquals(0, kfac.steps());
    }
}
