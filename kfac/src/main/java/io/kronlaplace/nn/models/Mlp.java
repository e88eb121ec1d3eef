package io.kronlaplace.nn.models;

import io.kronlaplace.nn.Flatten;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A multilayer perceptron with ReLU activations: {@code Flatten, Linear(in, h1), ReLU, ..., Linear(hL, classes)}.
 * Inputs of any shape {@code [N, ...]} are flattened in C order, so images and feature vectors both work.
 *
 * <p>Module names are positions ("0" is the Flatten, "1" the first Linear, ...), exactly those of the PyTorch model
 * {@code nn.Sequential(nn.Flatten(), nn.Linear(in, h1), nn.ReLU(), ..., nn.Linear(hL, classes))}, whose
 * {@code state_dict} therefore loads without renaming; see docs/pytorch-import.md, section Name mapping.
 */
public final class Mlp {
    private Mlp() {
    }

    /**
     * A builder with no hidden layers, 10 classes, seed 0, float32; the input size is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link Mlp}; every setter validates its argument. */
    public static final class Builder {
        private long inputs;
        private int[] hidden = new int[0];
        private int classes = 10;
        private long seed;
        private DataType dataType = DataType.FLOAT;

        private Builder() {
        }

        /**
         * The number of input features (for images C * H * W).
         *
         * @param inputs at least 1
         * @return this builder
         */
        public Builder inputs(long inputs) {
            if (inputs < 1) {
                throw new IllegalArgumentException("an MLP needs at least one input feature, got " + inputs);
            }
            this.inputs = inputs;
            return this;
        }

        /**
         * The hidden layer widths, input side first (none for a linear model).
         *
         * @param widths each at least 1
         * @return this builder
         */
        public Builder hidden(int... widths) {
            this.hidden = DenseLayers.positive(widths, "MLP hidden widths");
            return this;
        }

        /**
         * The number of outputs.
         *
         * @param classes at least 1
         * @return this builder
         */
        public Builder classes(int classes) {
            if (classes < 1) {
                throw new IllegalArgumentException("classes must be >= 1, got " + classes);
            }
            this.classes = classes;
            return this;
        }

        /**
         * The seed of the initialisation stream.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * The floating-point type of the parameters.
         *
         * @param dataType FLOAT or DOUBLE
         * @return this builder
         */
        public Builder dataType(DataType dataType) {
            if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
                throw new IllegalArgumentException("MLP parameters must be FLOAT or DOUBLE, got " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /**
         * Assembles a freshly initialised network.
         *
         * @return the network
         * @throws IllegalStateException when the input size was not set
         */
        public Network build() {
            if (inputs < 1) {
                throw new IllegalStateException("set the MLP's input size with inputs(...)");
            }
            Sequential root = new Sequential().add(new Flatten());
            DenseLayers.append(root, inputs, hidden, classes, new Init(seed, dataType, Init.Scheme.KAIMING_NORMAL));
            return new Network(root);
        }
    }
}
