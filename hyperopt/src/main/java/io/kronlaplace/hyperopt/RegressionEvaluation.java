package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.Batch;
import io.kronlaplace.laplace.HessianStructure;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplaceOptions;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.SubsetOfWeights;
import io.kronlaplace.laplace.predictive.GaussianPrediction;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.laplace.tuning.MarginalLikelihoodTuner;
import io.kronlaplace.laplace.tuning.TuningResult;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.RegressionDataset;
import io.kronlaplace.validation.metrics.RegressionMetrics;
import io.kronlaplace.validation.metrics.RegressionSummary;
import io.kronlaplace.validation.report.EvaluationReport;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Evaluates a trained regression network (one output, Gaussian likelihood, standardised targets) as MAP with the
 * noise fitted to the training residuals and as a K-FAC Laplace approximation with the linearised (GLM) Gaussian
 * predictive, on a test set: held-out log-likelihood, RMSE, central-interval coverage and the PIT histogram, all in
 * the original target units (see docs/data-formats.md, section Regression).
 */
public final class RegressionEvaluation {
    /** Method name of the Laplace GLM Gaussian predictive. */
    public static final String LAPLACE_GLM = "Laplace (GLM)";

    private final Network network;
    private final PriorPrecision prior;
    private final KfacFlavour flavour;
    private final double sigma;
    private final boolean tuneSigma;
    private final int batchSize;
    private final Consumer<String> status;

    /**
     * @param network   the trained network (MAP weights) predicting standardised targets
     * @param prior     prior precision of the Laplace posterior
     * @param flavour   K-FAC flavour of the posterior's curvature
     * @param sigma     observation noise in standardised units (learned by the marginal likelihood), positive
     * @param tuneSigma whether to tune sigma and the prior post hoc by the Laplace marginal likelihood first
     * @param batchSize rows per batch when fitting and predicting, >= 1
     * @param status    receives one line per stage (may ignore it)
     * @throws IllegalArgumentException for a non-positive sigma or batch size
     */
    public RegressionEvaluation(Network network, PriorPrecision prior, KfacFlavour flavour, double sigma,
                                boolean tuneSigma, int batchSize, Consumer<String> status) {
        this.network = Objects.requireNonNull(network, "network");
        this.prior = Objects.requireNonNull(prior, "prior");
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        if (!(sigma > 0) || !Double.isFinite(sigma) || batchSize < 1) {
            throw new IllegalArgumentException("sigma must be positive and the batch size >= 1, got " + sigma
                    + " and " + batchSize);
        }
        this.sigma = sigma;
        this.tuneSigma = tuneSigma;
        this.batchSize = batchSize;
        this.status = Objects.requireNonNull(status, "status");
    }

    /**
     * Fits the posterior on {@code train} and adds the MAP row and then the Laplace row on {@code test} to the report,
     * predictions mapped back to the original units {@code y = targetMean + targetStd * prediction}.
     *
     * @param train      the standardised training set (curvature at the MAP, and the MAP noise)
     * @param test       the standardised test set
     * @param targetMean the training targets' mean
     * @param targetStd  the training targets' standard deviation
     * @param report     the report to add to
     * @return the fitted (and, when asked, tuned) posterior
     */
    public LaplacePosterior evaluate(RegressionDataset train, RegressionDataset test, double targetMean,
                                     double targetStd, EvaluationReport.Builder report) {
        double[] trainY = train.targets().castTo(DataType.DOUBLE).toDoubleVector();
        double[] trainMean = mapMeans(train);
        double squares = 0;
        for (int i = 0; i < trainY.length; i++) {
            squares += (trainY[i] - trainMean[i]) * (trainY[i] - trainMean[i]);
        }
        double mapSigma = Math.sqrt(squares / trainY.length);
        double[] testMean = mapMeans(test);
        double[] y = test.targets().castTo(DataType.DOUBLE).toDoubleVector();
        double[] mapVariance = new double[testMean.length];
        Arrays.fill(mapVariance, mapSigma * mapSigma);
        report.addRegression(ModelEvaluation.MAP, test.name(), summary(testMean, mapVariance, y, targetMean,
                targetStd));

        status.accept("fitting the Laplace posterior (K-FAC " + flavour + ") on " + train.size() + " rows");
        LaplacePosterior posterior = Laplace.create(network, LaplaceOptions.builder().subset(SubsetOfWeights.ALL)
                .structure(HessianStructure.KRON).likelihood(LikelihoodType.REGRESSION).prior(prior).sigma(sigma)
                .flavour(flavour).build());
        posterior.fit(batches(train).iterator());
        if (tuneSigma) {
            TuningResult tuned = new MarginalLikelihoodTuner(100, 0.1, true).tune(posterior);
            status.accept(String.format(Locale.ROOT, "tuned sigma %.4g (standardised units), log "
                    + "marginal likelihood %.2f", tuned.sigma(), tuned.objective()));
        }
        status.accept("predicting on " + test.name() + " (" + test.size() + " rows)");
        GlmPredictive glm = new GlmPredictive(posterior);
        List<Double> mean = new ArrayList<>();
        List<Double> variance = new ArrayList<>();
        for (Batch b : batches(test)) {
            GaussianPrediction p = glm.regress(b.inputs());
            for (double m : p.mean().castTo(DataType.DOUBLE).toDoubleVector()) {
                mean.add(m);
            }
            for (double v : p.variance().castTo(DataType.DOUBLE).toDoubleVector()) {
                variance.add(v);
            }
        }
        report.addRegression(LAPLACE_GLM, test.name(), summary(unbox(mean), unbox(variance), y, targetMean,
                targetStd));
        return posterior;
    }

    /**
     * Regression metrics in original units from standardised predictions and targets.
     *
     * @param mean       standardised predictive means
     * @param variance   standardised predictive variances
     * @param target     standardised targets
     * @param targetMean the target mean added back
     * @param targetStd  the target scale multiplied back
     * @return the summary in original units (log-likelihood per point lower by log targetStd)
     */
    public static RegressionSummary summary(double[] mean, double[] variance,
            double[] target, double targetMean, double targetStd) {
        double[] m = new double[mean.length];
        double[] v = new double[mean.length];
        double[] t = new double[mean.length];
        for (int i = 0; i < mean.length; i++) {
            m[i] = targetMean + targetStd * mean[i];
            v[i] = targetStd * targetStd * variance[i];
            t[i] = targetMean + targetStd * target[i];
        }
        return RegressionMetrics.summarize(m, v, t);
    }

    private double[] mapMeans(RegressionDataset data) {
        double[] out = new double[data.size()];
        int at = 0;
        for (Batch b : batches(data)) {
            for (double m : network.forward(b.inputs(), Mode.EVAL).castTo(DataType.DOUBLE).toDoubleVector()) {
                out[at++] = m;
            }
        }
        return out;
    }

    private List<Batch> batches(RegressionDataset data) {
        List<Batch> out = new ArrayList<>();
        for (int from = 0; from < data.size(); from += batchSize) {
            int to = Math.min(data.size(), from + batchSize);
            RegressionDataset part = data.subset(IntStream.range(from, to).toArray());
            out.add(new Batch(part.inputs(), part.targets()));
        }
        return out;
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
