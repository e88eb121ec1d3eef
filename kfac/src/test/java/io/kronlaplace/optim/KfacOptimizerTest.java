package io.kronlaplace.optim;

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

        /** Best final loss of SGD with momentum 0.9 over the learning rates (diverged runs count as infinite). */
        double bestSgd(int steps, double... rates) {
            double best = Double.POSITIVE_INFINITY;
            for (double lr : rates) {
                Network net = model.get();
                Sgd sgd = Sgd.builder().learningRate(lr).momentum(0.9).build();
                long t0 = System.nanoTime();
                double loss = run(net, steps, () -> sgd.step(net));
                System.out.printf("  (%.1f ms)%n", (System.nanoTime() - t0) / 1e6);
                System.out.printf("  SGD  lr=%-6s loss after %d steps: %.6g%n", lr, steps, loss);
                best = Math.min(best, loss);
            }
            return best;
        }

        double bestKfac(int steps, double... rates) {
            double best = Double.POSITIVE_INFINITY;
            for (double lr : rates) {
                Network net = model.get();
                KfacOptimizer kfac = KfacOptimizer.builder(net, likelihood).learningRate(lr).momentum(0.9)
                        .damping(1e-3).inverseUpdateInterval(5).build();
                long t0 = System.nanoTime();
                double loss = run(net, steps, () -> kfac.step(inputs, targets));
                System.out.printf("  (%.1f ms)%n", (System.nanoTime() - t0) / 1e6);
                System.out.printf("  KFAC lr=%-6s loss after %d steps: %.6g%n", lr, steps, loss);
                best = Math.min(best, loss);
            }
            return best;
        }

        private double run(Network net, int steps, Runnable step) {
            for (int s = 0; s < steps; s++) {
                computeGradients(net);
                step.run();
                if (!Double.isFinite(net.flatParameters().sumNumber().doubleValue())) {
                    return Double.POSITIVE_INFINITY;
                }
            }
            double loss = loss(net);
            return Double.isFinite(loss) ? loss : Double.POSITIVE_INFINITY;
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
        for (Likelihood likelihood : new Likelihood[] {new Gaussian(0.5), new io.kronlaplace.likelihood.CrossEntropy()}) {
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
    void fasterThanTunedSgdOnIllConditionedLinearRegression() {
        SplittableRandom random = new SplittableRandom(21);
        INDArray x = scaledInputs(random, 64);
        INDArray teacher = Nd4j.createFromArray(new double[][] {{1, -2, 30, -50}, {0.5, 1, -20, 80}});
        Gaussian likelihood = new Gaussian(1.0);
        INDArray y = x.mmul(teacher.transpose());
        Supplier<Network> model = () -> new Network(new Sequential(new Linear(4, 2, true,
                new Init(7, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL))));
        Problem p = new Problem(model, likelihood, x, y);
        double noise = likelihood.loss(y, y, Reduction.MEAN);
        int steps = 30;
        double sgd = p.bestSgd(steps, 0.01, 0.03, 0.1, 0.3) - noise;
        double kfac = p.bestKfac(steps, 0.3, 1.0) - noise;
        System.out.printf("linear regression excess loss: K-FAC %.3g vs SGD %.3g%n", kfac, sgd);
        assertTrue(kfac < 0.1 * sgd, "K-FAC excess loss " + kfac + " vs SGD " + sgd);
    }

    @Test
    void fasterThanTunedSgdOnAnMlpWithBadlyScaledInputs() {
        SplittableRandom random = new SplittableRandom(22);
        INDArray x = scaledInputs(random, 96);
        double[] weights = {0.3, -1, 10, 30};
        long[] labels = new long[96];
        for (int n = 0; n < labels.length; n++) {
            double score = 0;
            for (int j = 0; j < weights.length; j++) {
                score += weights[j] * x.getDouble(n, j);
            }
            labels[n] = score > 0.5 ? 2 : score < -0.5 ? 0 : 1;
        }
        Problem p = new Problem(() -> new Network(new Sequential(
                new Linear(4, 16, true, new Init(3, DataType.DOUBLE, Init.Scheme.KAIMING_NORMAL)), new ReLU(),
                new Linear(16, 3, true, new Init(4, DataType.DOUBLE, Init.Scheme.XAVIER_NORMAL)))),
                new io.kronlaplace.likelihood.CrossEntropy(), x, Nd4j.createFromArray(labels));
        int steps = 40;
        double sgd = p.bestSgd(steps, 0.03, 0.1, 0.3, 1.0);
        double kfac = p.bestKfac(steps, 0.1, 0.3, 1.0);
        System.out.printf("MLP classification loss: K-FAC %.4g vs SGD %.4g%n", kfac, sgd);
        assertTrue(kfac < 0.5 * sgd, "K-FAC loss " + kfac + " vs SGD " + sgd);
    }
}
