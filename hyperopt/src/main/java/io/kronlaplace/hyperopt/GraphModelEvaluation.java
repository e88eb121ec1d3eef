package io.kronlaplace.hyperopt;

import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.laplace.Laplace;
import io.kronlaplace.laplace.LaplacePosterior;
import io.kronlaplace.laplace.LikelihoodType;
import io.kronlaplace.laplace.PriorPrecision;
import io.kronlaplace.laplace.predictive.GlmPredictive;
import io.kronlaplace.nn.Mode;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.StepWorkspace;
import io.kronlaplace.validation.data.GraphDataset;
import io.kronlaplace.validation.metrics.MultiLabelMetrics;
import io.kronlaplace.validation.report.EvaluationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Evaluates a trained multi-label graph network as MAP (sigmoid of the logits) and as a K-FAC Laplace approximation
 * over all weights with the binary likelihood and the GLM probit predictive, on a test set: average precision, NLL
 * and Brier score of the observed labels (see docs/graph-networks.md, section Binary cross-entropy).
 */
public final class GraphModelEvaluation {
    private final Network network;
    private final PriorPrecision prior;
    private final KfacFlavour flavour;
    private final int batchSize;
    private final Consumer<String> status;

    /**
     * @param network   the trained network (MAP weights), one logit per task
     * @param prior     prior precision of the Laplace posterior (scalar or one per weight/bias group)
     * @param flavour   K-FAC flavour of the posterior's curvature
     * @param batchSize graphs per batch when fitting and predicting, >= 1
     * @param status    receives one line per stage (may ignore it)
     */
    public GraphModelEvaluation(Network network, PriorPrecision prior, KfacFlavour flavour, int batchSize,
                                Consumer<String> status) {
        this.network = Objects.requireNonNull(network, "network");
        this.prior = Objects.requireNonNull(prior, "prior");
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
        }
        this.batchSize = batchSize;
        this.status = Objects.requireNonNull(status, "status");
    }

    /**
     * Fits the posterior on {@code train} (exact GGN of the binary cross-entropy, missing labels contributing
     * nothing) and adds the MAP and Laplace probit metrics on {@code test} to the report.
     *
     * @param train  the training graphs with one label per task (missing labels allowed)
     * @param test   the test graphs, labelled like the training graphs
     * @param report receives the multi-label rows of MAP and Laplace (GLM probit) on {@code test}
     * @return the fitted posterior
     */
    @SuppressWarnings("try") // the workspace scope is held for its effect only
    public LaplacePosterior evaluate(GraphDataset train, GraphDataset test, EvaluationReport.Builder report) {
        status.accept("fitting the Laplace posterior (K-FAC " + flavour + ") on " + train.size() + " graphs");
        LaplacePosterior posterior = Laplace.create(network,
                ModelEvaluation.kronOverAllWeights(LikelihoodType.BINARY, prior, flavour));
        posterior.fit(train.asBatches(batchSize));
        status.accept("predicting on " + test.name() + " (" + test.size() + " graphs)");
        GlmPredictive glm = new GlmPredictive(posterior);
        List<INDArray> map = new ArrayList<>();
        List<INDArray> probit = new ArrayList<>();
        for (GraphDataset b : test.batchesInOrder(batchSize)) {
            // as ModelEvaluation's predictor: a batch's temporaries are reused memory, its probabilities are kept
            try (StepWorkspace ignored = StepWorkspace.open(ModelEvaluation.PREDICTION_WORKSPACE)) {
                map.add(Transforms.sigmoid(network.forward(b.inputs(), Mode.EVAL).castTo(DataType.DOUBLE), false)
                        .detach());
                probit.add(glm.multiLabel(b.inputs()).detach());
            }
        }
        StepWorkspace.release(ModelEvaluation.PREDICTION_WORKSPACE);
        INDArray labels = test.targets();
        report.addMultiLabel(ModelEvaluation.MAP, test.name(), MultiLabelMetrics.summarize(stack(map), labels));
        report.addMultiLabel(ModelEvaluation.LAPLACE_PROBIT, test.name(),
                MultiLabelMetrics.summarize(stack(probit), labels));
        return posterior;
    }

    private static INDArray stack(List<INDArray> parts) {
        return Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }
}
