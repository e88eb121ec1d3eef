package io.kronlaplace.validation.report;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The predictive distributions of several methods that share their expensive part (for example one Laplace
 * posterior's Gaussian over the logits pushed through several links): a batch of images [B, C, H, W] to each
 * method's class probabilities [B, K].
 */
@FunctionalInterface
public interface MethodsPredictor {
    /**
     * Class probabilities (rows summing to one) of every method for a batch of images.
     *
     * @param images the batch of images
     * @return method name to probabilities, in the order the methods are to be reported; the same names for every
     *         batch
     */
    Map<String, INDArray> predict(INDArray images);
}
