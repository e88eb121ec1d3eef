package io.kronlaplace.hyperopt.cli;

import io.kronlaplace.curvature.KfacOptions;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.hyperopt.checkpoint.ModelArchitecture;
import io.kronlaplace.nn.Network;
import io.kronlaplace.validation.data.ImageDataset;
import java.util.Map;

/**
 * Computes the K-FAC factors that {@code curvature} exports: in this JVM, or elsewhere (e.g. on a cluster). Every
 * runner returns the factors of one pass over {@code train} in stored order, in batches of {@code batchSize} images
 * ({@link CurvatureCommand#batch}), for the cross-entropy of the labels, normalised as
 * {@link io.kronlaplace.curvature.KfacEstimator#factors()} normalises them.
 */
@FunctionalInterface
public interface CurvatureRunner {
    /**
     * The factors by layer path, in layer order.
     *
     * @param architecture what {@code network} is (to rebuild it elsewhere)
     * @param network      the network at the weights the curvature is taken at
     * @param options      flavour and curvature type (label seed 0)
     * @param train        the normalised training images and their labels
     * @param batchSize    images per batch of the pass, &gt;= 1
     * @return the factors of every weight layer by layer path, in layer order
     */
    Map<String, KronFactors> factors(ModelArchitecture architecture, Network network, KfacOptions options,
                                     ImageDataset train, int batchSize);
}
