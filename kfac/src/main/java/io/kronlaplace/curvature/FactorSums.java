package io.kronlaplace.curvature;

import io.kronlaplace.linalg.ComputeKernels;
import java.io.Serial;
import java.io.Serializable;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The raw float64 Kronecker-factor sums of one weight layer before normalisation: the upper triangles of
 * {@code sum a a^T} and {@code sum g g^T} (C order, the strict lower triangle is not read) and the count A is divided
 * by. Sums over disjoint parts of a data set add up with {@link #plus} to the sums over the whole set, and
 * {@link #factors} then divides exactly once, as {@link KfacEstimator#factors()} does, so factors computed in parts
 * (e.g. on the partitions of a cluster job) equal the single-pass factors up to the order of float64 additions.
 * Immutable and {@link Serializable} (plain arrays), so it can be shipped between processes.
 */
public final class FactorSums implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;
    private final String layerPath;
    private final KfacFlavour flavour;
    private final int inFeatures;
    private final int outFeatures;
    private final double[] aSum;
    private final double[] bSum;
    private final long aCount;

    /**
     * @param layerPath   dotted path of the layer
     * @param flavour     the flavour the sums were accumulated with
     * @param inFeatures  Din (A is Din x Din)
     * @param outFeatures Dout (B is Dout x Dout)
     * @param aSum        Din * Din values, C order (copied)
     * @param bSum        Dout * Dout values, C order (copied)
     * @param aCount      what A is divided by (examples for REDUCE, example-positions for EXPAND), >= 1
     * @throws IllegalArgumentException on sizes that do not match or a count below 1
     */
    public FactorSums(String layerPath, KfacFlavour flavour, int inFeatures, int outFeatures, double[] aSum,
                      double[] bSum, long aCount) {
        this.layerPath = Objects.requireNonNull(layerPath, "layerPath");
        this.flavour = Objects.requireNonNull(flavour, "flavour");
        if (inFeatures < 1 || outFeatures < 1 || aSum.length != (long) inFeatures * inFeatures
                || bSum.length != (long) outFeatures * outFeatures) {
            throw new IllegalArgumentException("factor sums of layer '" + layerPath + "': " + aSum.length + " and "
                    + bSum.length + " values do not fill " + inFeatures + " x " + inFeatures + " and " + outFeatures
                    + " x " + outFeatures + " matrices");
        }
        if (aCount < 1) {
            throw new IllegalArgumentException("factor sums of layer '" + layerPath + "' need a count >= 1, got "
                    + aCount);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.aSum = aSum.clone();
        this.bSum = bSum.clone();
        this.aCount = aCount;
    }

    /** Copies float64 sum arrays of an accumulator. */
    static FactorSums of(String layerPath, KfacFlavour flavour, INDArray aSum, INDArray bSum, long aCount) {
        return new FactorSums(layerPath, flavour, (int) aSum.size(0), (int) bSum.size(0),
                aSum.dup('c').data().asDouble(), bSum.dup('c').data().asDouble(), aCount);
    }

    /**
     * The layer the sums belong to.
     *
     * @return the dotted path of the layer, e.g. "fc"
     */
    public String layerPath() {
        return layerPath;
    }

    /**
     * The flavour the sums were accumulated with.
     *
     * @return the K-FAC flavour (how weight-shared positions enter the sums); only sums of one flavour add up
     */
    public KfacFlavour flavour() {
        return flavour;
    }

    /**
     * What A is divided by.
     *
     * @return the number of examples (REDUCE) or example-positions (EXPAND) summed into A, at least 1
     */
    public long aCount() {
        return aCount;
    }

    /**
     * The sums of this part and another part of the data.
     *
     * @param other sums of the same layer, flavour and shape over a disjoint part of the data
     * @return new sums with both factor sums and the counts added
     * @throws IllegalArgumentException when the other sums are of another layer, flavour or shape
     */
    public FactorSums plus(FactorSums other) {
        if (!layerPath.equals(other.layerPath) || flavour != other.flavour || inFeatures != other.inFeatures
                || outFeatures != other.outFeatures) {
            throw new IllegalArgumentException("cannot add factor sums of layer '" + other.layerPath + "' ("
                    + other.flavour + ", " + other.outFeatures + " x " + other.inFeatures + ") to those of layer '"
                    + layerPath + "' (" + flavour + ", " + outFeatures + " x " + inFeatures + ")");
        }
        double[] a = aSum.clone();
        double[] b = bSum.clone();
        for (int i = 0; i < a.length; i++) {
            a[i] += other.aSum[i];
        }
        for (int i = 0; i < b.length; i++) {
            b[i] += other.bSum[i];
        }
        return new FactorSums(layerPath, flavour, inFeatures, outFeatures, a, b, aCount + other.aCount);
    }

    /**
     * The normalised factors (see {@link KronFactors}): A divided by the count once, both mirrored from the upper
     * triangle.
     *
     * @param kernels the compute kernels that mirror the upper triangles (e.g. the CPU or a GPU back end)
     * @return new float64 factors A (Din x Din) and B (Dout x Dout) of this layer and flavour
     */
    public KronFactors factors(ComputeKernels kernels) {
        INDArray a = Nd4j.createFromArray(aSum);
        INDArray b = Nd4j.createFromArray(bSum);
        KronFactors factors = normalised(layerPath, flavour, a.reshape(inFeatures, inFeatures),
                b.reshape(outFeatures, outFeatures), aCount, kernels, new FactorArrayPool());
        // the copies go at once, unless a workspace the caller opened holds them
        for (INDArray copy : new INDArray[] {a, b}) {
            if (copy.closeable()) {
                copy.close();
            }
        }
        return factors;
    }

    /**
     * The one normalisation of raw sums (upper triangles) into factors, shared by the estimator and by sums
     * combined from parts: the factors are written into arrays from the pool and go back there when closed.
     */
    static KronFactors normalised(String layerPath, KfacFlavour flavour, INDArray aSum, INDArray bSum, long aCount,
                                  ComputeKernels kernels, FactorArrayPool pool) {
        if (aSum.dataType() != DataType.DOUBLE || bSum.dataType() != DataType.DOUBLE) {
            throw new IllegalStateException("factor sums must be float64");
        }
        INDArray a = pool.take(aSum.size(0));
        aSum.div(aCount, a);
        INDArray b = pool.take(bSum.size(0));
        b.assign(bSum);
        return KronFactors.owned(layerPath, kernels.mirrorUpper(a), kernels.mirrorUpper(b), flavour, pool);
    }

    @Override
    public String toString() {
        return "FactorSums[" + layerPath + ", " + flavour + ", A " + inFeatures + "x" + inFeatures + " / " + aCount
                + ", B " + outFeatures + "x" + outFeatures + "]";
    }
}
