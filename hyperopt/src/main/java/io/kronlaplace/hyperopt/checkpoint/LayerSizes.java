package io.kronlaplace.hyperopt.checkpoint;

import java.util.List;
import java.util.Objects;

/**
 * The sizes of an MLP or a plain CNN, as a saved model records them (see {@link io.kronlaplace.nn.models.Mlp} and
 * {@link io.kronlaplace.nn.models.ConvNet}).
 *
 * @param imageSize side of the square input images
 * @param channels  output channels of the CNN's convolution stages (empty for an MLP)
 * @param hidden    widths of the hidden dense layers (may be empty)
 */
public record LayerSizes(int imageSize, List<Integer> channels, List<Integer> hidden)
        implements java.io.Serializable {
    /**
     * Copies the lists and requires positive sizes.
     *
     * @param imageSize side of the square input images, &gt;= 1
     * @param channels  output channels of the CNN's convolution stages (empty for an MLP), each &gt;= 1; copied
     * @param hidden    widths of the hidden dense layers (may be empty), each &gt;= 1; copied
     * @throws NullPointerException     when a list is null
     * @throws IllegalArgumentException when a size is below 1
     */
    public LayerSizes {
        channels = List.copyOf(Objects.requireNonNull(channels, "channels"));
        hidden = List.copyOf(Objects.requireNonNull(hidden, "hidden"));
        if (imageSize < 1 || channels.stream().anyMatch(c -> c < 1) || hidden.stream().anyMatch(h -> h < 1)) {
            throw new IllegalArgumentException("layer sizes must be positive: image " + imageSize + ", channels "
                    + channels + ", hidden " + hidden);
        }
    }

    /** The channels as an array. */
    int[] channelArray() {
        return channels.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The hidden widths as an array. */
    int[] hiddenArray() {
        return hidden.stream().mapToInt(Integer::intValue).toArray();
    }
}
