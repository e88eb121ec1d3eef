package io.kronlaplace.nn.models;

import io.kronlaplace.nn.AvgPool2d;
import io.kronlaplace.nn.Conv2d;
import io.kronlaplace.nn.Flatten;
import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A plain convolutional network for small square images: per entry of {@code channels} a stage
 * {@code Conv2d(3x3, padding 1, bias), ReLU, AvgPool2d(2, 2)} (each pool halves the side, rounding down), then
 * {@code Flatten} and the fully connected layers of an {@link Mlp} ({@code Linear, ReLU} per hidden width and a
 * Linear to the classes).
 *
 * <p>Module names are positions, exactly those of the PyTorch model {@code nn.Sequential(nn.Conv2d(c, c1, 3,
 * padding=1), nn.ReLU(), nn.AvgPool2d(2), ..., nn.Flatten(), nn.Linear(...), ...)}, whose {@code state_dict} loads
 * without renaming; see docs/pytorch-import.md, section Name mapping.
 */
public final class ConvNet {
    private ConvNet() {
    }

    /**
     * A builder with 3 input channels, 32 x 32 images, stages of 16 and 32 channels, no hidden dense layer, 10
     * classes, seed 0, float32.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Builder for {@link ConvNet}; every setter validates its argument. */
    public static final class Builder {
        private int inputChannels = 3;
        private int imageSize = 32;
        private int[] channels = {16, 32};
        private int[] hidden = new int[0];
        private int classes = 10;
        private long seed;
        private DataType dataType = DataType.FLOAT;

        private Builder() {
        }

        /**
         * Image channels.
         *
         * @param inputChannels at least 1
         * @return this builder
         */
        public Builder inputChannels(int inputChannels) {
            if (inputChannels < 1) {
                throw new IllegalArgumentException("input channels must be >= 1, got " + inputChannels);
            }
            this.inputChannels = inputChannels;
            return this;
        }

        /**
         * The side of the square input images.
         *
         * @param imageSize at least 1
         * @return this builder
         */
        public Builder imageSize(int imageSize) {
            if (imageSize < 1) {
                throw new IllegalArgumentException("image size must be >= 1, got " + imageSize);
            }
            this.imageSize = imageSize;
            return this;
        }

        /**
         * The output channels of the convolution stages, input side first.
         *
         * @param channels at least one stage, each at least 1
         * @return this builder
         */
        public Builder channels(int... channels) {
            if (channels.length == 0) {
                throw new IllegalArgumentException("a CNN needs at least one convolution stage");
            }
            this.channels = DenseLayers.positive(channels, "CNN channels");
            return this;
        }

        /**
         * The widths of the hidden dense layers after the convolutions (none: the flattened features feed the
         * classifier directly).
         *
         * @param widths each at least 1
         * @return this builder
         */
        public Builder hidden(int... widths) {
            this.hidden = DenseLayers.positive(widths, "CNN hidden widths");
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
                throw new IllegalArgumentException("CNN parameters must be FLOAT or DOUBLE, got " + dataType);
            }
            this.dataType = dataType;
            return this;
        }

        /**
         * Assembles a freshly initialised network.
         *
         * @return the network
         * @throws IllegalArgumentException when the images are too small for the number of stages
         */
        public Network build() {
            long side = imageSize;
            for (int ignored : channels) {
                side /= 2;
            }
            if (side < 1) {
                throw new IllegalArgumentException(imageSize + "x" + imageSize + " images are too small for "
                        + channels.length + " pooling stages (each halves the side)");
            }
            Init init = new Init(seed, dataType, Init.Scheme.KAIMING_NORMAL);
            Sequential root = new Sequential();
            long in = inputChannels;
            for (int c : channels) {
                root.add(new Conv2d(in, c, 3, 1, 1, true, init)).add(new ReLU()).add(new AvgPool2d(2, 2));
                in = c;
            }
            root.add(new Flatten());
            DenseLayers.append(root, in * side * side, hidden, classes, init);
            return new Network(root);
        }
    }
}
