package io.kronlaplace.validation.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Real-valued regression data: features [N, D] and targets [N, 1], both floating point of the same type.
 */
public final class RegressionDataset implements SupervisedDataset<RegressionDataset> {
    private final String name;
    private final INDArray features;
    private final INDArray targets;

    /**
     * @param name     short name for reports and messages
     * @param features floating-point matrix [N, D]
     * @param targets  floating-point column [N, 1] (a vector of length N is reshaped)
     */
    public RegressionDataset(String name, INDArray features, INDArray targets) {
        if (features.rank() != 2) {
            throw new IllegalArgumentException(name + ": features must be [N, D], got shape "
                    + Arrays.toString(features.shape()));
        }
        INDArray column = targets.rank() == 1 ? targets.reshape(targets.length(), 1) : targets;
        if (column.rank() != 2 || column.size(1) != 1 || column.size(0) != features.size(0)) {
            throw new IllegalArgumentException(name + ": targets must be [" + features.size(0) + ", 1], got shape "
                    + Arrays.toString(targets.shape()));
        }
        if (!features.dataType().isFPType() || features.dataType() != column.dataType()) {
            throw new IllegalArgumentException(name + ": features (" + features.dataType() + ") and targets ("
                    + column.dataType() + ") must share one floating-point type");
        }
        this.name = name;
        this.features = features;
        this.targets = column;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        return (int) features.size(0);
    }

    /**
     * Feature matrix [N, D] (shared, do not modify).
     *
     * @return the features, {@code N x D}
     */
    public INDArray features() {
        return features;
    }

    /** The features (the same matrix as {@link #features()}). */
    @Override
    public INDArray inputs() {
        return features;
    }

    /** Target column [N, 1] (shared, do not modify). */
    @Override
    public INDArray targets() {
        return targets;
    }

    /**
     * Number of features D.
     *
     * @return the number D of features
     */
    public int featureCount() {
        return (int) features.size(1);
    }

    /**
     * The same data in another floating-point type.
     *
     * @param type the floating-point type of the new features and targets
     * @return a data set with the same name and values
     */
    public RegressionDataset castTo(DataType type) {
        return new RegressionDataset(name, features.castTo(type), targets.castTo(type));
    }

    @Override
    public RegressionDataset subset(int[] indices) {
        int n = size();
        for (int index : indices) {
            if (index < 0 || index >= n) {
                throw new IndexOutOfBoundsException(name + ": index " + index + " outside 0.." + (n - 1));
            }
        }
        if (indices.length == 0) {
            return new RegressionDataset(name, Nd4j.create(features.dataType(), 0, features.size(1)),
                    Nd4j.create(targets.dataType(), 0, 1));
        }
        return new RegressionDataset(name, Nd4j.pullRows(features, 1, indices), Nd4j.pullRows(targets, 1, indices));
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(features.shape()) + " " + features.dataType();
    }
}
