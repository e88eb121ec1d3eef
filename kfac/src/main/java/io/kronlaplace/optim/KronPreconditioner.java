package io.kronlaplace.optim;

import io.kronlaplace.curvature.DampedKronPower;
import io.kronlaplace.curvature.KfacFlavour;
import io.kronlaplace.curvature.KronDecomposition;
import io.kronlaplace.curvature.KronEigenbasis;
import io.kronlaplace.curvature.KronFactors;
import io.kronlaplace.linalg.ComputeKernels;
import io.kronlaplace.nn.WeightLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The K-FAC state of one weight layer: running averages of its factors (float64) and, from their last
 * eigendecomposition, the damped inverse of B (x) A in the weight's data type ({@link DampedKronPower}), applied into
 * preallocated buffers: {@code (B (x) A + damping I)^{-1} vec(G) = vec(Q_B [(Q_B^T G Q_A) / (l_B l_A^T + damping)]
 * Q_A^T)}.
 */
final class KronPreconditioner {
    private final WeightLayer layer;
    private final KfacFlavour flavour;
    private final ComputeKernels kernels;
    private INDArray runningA;
    private INDArray runningB;
    private DampedKronPower inverse;
    private DampedKronPower.Scratch scratch;
    private INDArray result;

    KronPreconditioner(WeightLayer layer, KfacFlavour flavour, ComputeKernels kernels) {
        this.layer = layer;
        this.flavour = flavour;
        this.kernels = kernels;
    }

    /**
     * Folds one batch's factors into the running averages: {@code avg = decay avg + (1 - decay) new}; the first
     * batch sets the averages.
     *
     * @param factors    the batch's factors for the summed loss over its {@code examples} examples
     * @param examples   number of examples in the batch: B is divided by it, so the product approximates the GGN of
     *                   the MEAN loss that training minimises
     */
    void updateFactors(KronFactors factors, long examples, double decay) {
        INDArray a = factors.a();
        INDArray b = factors.b().divi(examples);
        if (runningA == null) {
            runningA = a;
            runningB = b;
        } else {
            runningA.muli(decay).addi(a.muli(1 - decay));
            runningB.muli(decay).addi(b.muli(1 - decay));
        }
    }

    boolean hasFactors() {
        return runningA != null;
    }

    boolean hasInverse() {
        return inverse != null;
    }

    /** Eigendecomposes the running factors and prepares {@code (B (x) A + damping I)^{-1}} in the weight's type. */
    void refreshInverse(double damping) {
        KronDecomposition d = KronDecomposition.of(new KronFactors(layer.path(), runningA, runningB, flavour), kernels);
        DataType type = layer.weight().value().dataType();
        inverse = KronEigenbasis.ofWeight(d).power(1.0, damping, -1.0, type, kernels);
        if (result == null || result.dataType() != type) {
            scratch = inverse.newScratch(1);
            result = Nd4j.create(type, d.outFeatures(), d.inFeatures());
        }
    }

    /**
     * Writes the preconditioned gradient into {@code out}.
     *
     * @param gradient weight gradient G, the weight's shape (viewed as Dout x Din)
     * @param out      destination of the weight's shape; may be {@code gradient} itself
     */
    void precondition(INDArray gradient, INDArray out) {
        inverse.apply(gradient.reshape('c', layer.outFeatures(), layer.inFeatures()), result, scratch);
        // Through a copy: a reshape of the destination is not guaranteed to be a view.
        out.assign(result.reshape('c', out.shape()));
    }
}
