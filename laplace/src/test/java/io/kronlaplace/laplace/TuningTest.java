package io.kronlaplace.laplace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kronlaplace.laplace.tuning.GridSearch;
import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.laplace.tuning.TuningResult;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import java.util.List;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Marginal-likelihood and grid-search tuning of the prior precision on a synthetic linear regression. */
class TuningTest {
    private static final int D = 40;
    private static final int N = 400;
    private static final double TRUE_PRIOR = 4.0;
    private static final double SIGMA = 0.3;

    private record Problem(Network net, INDArray x, INDArray y) {
    }

    /** y = X w + noise with w ~ N(0, I / TRUE_PRIOR); the network holds the ridge MAP at unit prior. */
    private static Problem problem() {
        INDArray x = Fixtures.gaussian(1, N, D);
        INDArray w = Fixtures.gaussian(2, D, 1).div(Math.sqrt(TRUE_PRIOR));
        INDArray y = x.mmul(w).addi(Fixtures.gaussian(3, N, 1).muli(SIGMA));
        DMatrixRMaj xm = new DMatrixRMaj(N, D, true, x.dup('c').data().asDouble());
        DMatrixRMaj ym = new DMatrixRMaj(N, 1, true, y.dup('c').data().asDouble());
        DMatrixRMaj a = new DMatrixRMaj(D, D);
        CommonOps_DDRM.multTransA(xm, xm, a);
        CommonOps_DDRM.scale(1 / (SIGMA * SIGMA), a);
        for (int i = 0; i < D; i++) {
            a.add(i, i, 1.0);
        }
        DMatrixRMaj b = new DMatrixRMaj(D, 1);
        CommonOps_DDRM.multTransA(xm, ym, b);
        CommonOps_DDRM.scale(1 / (SIGMA * SIGMA), b);
        DMatrixRMaj map = new DMatrixRMaj(D, 1);
        CommonOps_DDRM.solve(a, b, map);
        Linear layer = new Linear(D, 1, false, new Init(0, DataType.DOUBLE, Init.Scheme.ZERO));
        layer.weight().value().assign(Nd4j.create(map.data, new long[] {1, D}, 'c'));
        return new Problem(new Network(new Sequential(layer)), x, y);
    }

    @Test
    void marginalLikelihoodRecoversTheTruePriorPrecisionWithinFactorTwo() {
        for (HessianStructure h : new HessianStructure[] {HessianStructure.KRON, HessianStructure.FULL}) {
            Problem p = problem();
            LaplacePosterior post = Laplace.create(p.net(), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(h)
                    .likelihood(LikelihoodType.REGRESSION).sigma(SIGMA).build());
            post.fit(Fixtures.batches(p.x(), p.y(), 100));
            TuningResult r = new MarginalLikelihoodTuner(300, 0.1, false).tune(post);
            double found = r.prior().value(0);
            assertTrue(found > TRUE_PRIOR / 2 && found < TRUE_PRIOR * 2, h + ": tuned prior " + found
                    + " vs true " + TRUE_PRIOR);
            // at the optimum the gradient vanishes and the marginal likelihood increased
            assertTrue(Math.abs(post.marginalLikelihood().logPriorGradient()[0]) < 1e-2 * D);
            assertTrue(r.objective() > r.history().get(0));
        }
    }

    @Test
    void sigmaCanBeTunedJointly() {
        Problem p = problem();
        LaplacePosterior post = Laplace.create(p.net(), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.REGRESSION).sigma(1.0).build());
        post.fit(Fixtures.batches(p.x(), p.y(), 100));
        new MarginalLikelihoodTuner(200, 0.1, true).tune(post);
        assertTrue(post.sigma() > SIGMA / 1.5 && post.sigma() < SIGMA * 1.5, "tuned sigma " + post.sigma());
        assertThrows(IllegalStateException.class, () -> {
            Network net = Fixtures.mlp(3, 1);
            LaplacePosterior c = Laplace.create(net, LaplaceOptions.builder().subset(SubsetOfWeights.ALL).build());
            c.fit(Fixtures.batches(Fixtures.inputs(4, 1), Fixtures.classes(4, 3, 1), 4));
            new MarginalLikelihoodTuner(5, 0.1, true).tune(c);
        });
    }

    /**
     * At the marginal likelihood's optimum in log sigma, sigma^2 = D / (N - gamma) with D the summed squared training
     * residual and gamma = tr(P^-1 H) / sigma^2 the effective number of parameters; gamma also equals the GLM
     * functional variance summed over the training inputs divided by sigma^2. The tuned sigma of a small MLP must
     * satisfy this with gamma taken from the predictive, and so exceed the training RMSE by sqrt(N / (N - gamma)):
     * a learned sigma that stopped at the training RMSE, or a predictive that scaled its variance by the wrong power of
     * sigma, would break the equality.
     */
    @Test
    void tunedSigmaIsTheTrainingRmseInflatedByTheEffectiveParametersOfThePredictive() {
        int n = 60;
        INDArray x = Fixtures.inputs(n, 21);
        INDArray y = Fixtures.mlp(1, 22).forward(x, io.kronlaplace.nn.Mode.EVAL)
                .addi(Fixtures.gaussian(23, n, 1).muli(0.5));
        for (HessianStructure h : new HessianStructure[] {HessianStructure.KRON, HessianStructure.FULL}) {
            LaplacePosterior post = Laplace.create(Fixtures.mlp(1, 24), LaplaceOptions.builder()
                    .subset(SubsetOfWeights.ALL).structure(h).likelihood(LikelihoodType.REGRESSION).sigma(1.0).build());
            post.fit(Fixtures.batches(x, y, 20));
            new MarginalLikelihoodTuner(2000, 0.05, true).tune(post);
            double sigma2 = post.sigma() * post.sigma();
            assertEquals(0, post.marginalLikelihood().logSigmaGradient(), 1e-6, h + ": sigma not at the optimum");
            double gamma = post.functionalPrediction(x).covariance().sumNumber().doubleValue() / sigma2;
            double squaredResidual = post.dataTerm();
            assertTrue(gamma > 1 && gamma < n, h + ": effective parameters " + gamma);
            // exact for FULL; KRON's log-determinant sees tr(P^-1 H_kfac) while the predictive sums J P^-1 J^T with
            // the exact Jacobians, i.e. tr(P^-1 H), and the two differ by the factorisation error of the hidden layer
            double tolerance = h == HessianStructure.FULL ? 1e-6 : 1e-2;
            assertEquals(squaredResidual / (n - gamma), sigma2, tolerance * sigma2,
                    h + ": tuned sigma^2 vs D / (N - gamma)");
            assertTrue(sigma2 > squaredResidual / n, h + ": tuned sigma below the training RMSE");
        }
    }

    @Test
    void gridSearchPicksTheCandidateWithLowestDenseValidationNll() {
        Problem p = problem();
        LaplacePosterior post = Laplace.create(p.net(), LaplaceOptions.builder().subset(SubsetOfWeights.ALL).structure(HessianStructure.KRON)
                .likelihood(LikelihoodType.REGRESSION).sigma(SIGMA).build());
        post.fit(Fixtures.batches(p.x(), p.y(), 100));
        INDArray xv = Fixtures.gaussian(10, 50, D);
        INDArray w = p.net().parameters().get("0.weight").value();
        // validation targets from a noisier model so that epistemic variance matters
        INDArray yv = xv.mmul(w.transpose()).addi(Fixtures.gaussian(11, 50, 1).muli(1.0));
        double[] grid = {0.01, 1.0, 100.0, 1e4};
        TuningResult r = new GridSearch(grid).tune(post, List.of(new Batch(xv, yv)));
        double[] dense = new double[grid.length];
        int best = 0;
        for (int i = 0; i < grid.length; i++) {
            dense[i] = denseNll(p.x(), xv, yv, w, grid[i]);
            assertEquals(dense[i], r.history().get(i), 1e-8 * Math.abs(dense[i]));
            if (dense[i] < dense[best]) {
                best = i;
            }
        }
        assertEquals(grid[best], post.priorPrecision().value(0));
        assertEquals(dense[best], r.objective(), 1e-8 * Math.abs(dense[best]));
    }

    /** Gaussian NLL per example with variance x^T (X^T X / sigma^2 + delta I)^-1 x + sigma^2. */
    private static double denseNll(INDArray x, INDArray xv, INDArray yv, INDArray w, double delta) {
        INDArray prec = x.transpose().mmul(x).divi(SIGMA * SIGMA).addi(Nd4j.eye(D).castTo(DataType.DOUBLE).muli(delta));
        DMatrixRMaj pm = new DMatrixRMaj(D, D, true, prec.dup('c').data().asDouble());
        DMatrixRMaj inv = Fixtures.inverse(pm);
        double sum = 0;
        for (int n = 0; n < xv.size(0); n++) {
            double var = SIGMA * SIGMA;
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    var += xv.getDouble(n, a) * inv.get(a, b) * xv.getDouble(n, b);
                }
            }
            double r = yv.getDouble(n, 0) - xv.getRow(n).mul(w.reshape(D)).sumNumber().doubleValue();
            sum += 0.5 * (Math.log(2 * Math.PI * var) + r * r / var);
        }
        return sum / xv.size(0);
    }
}
