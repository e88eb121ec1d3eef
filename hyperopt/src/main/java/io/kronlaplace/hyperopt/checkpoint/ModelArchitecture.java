package io.kronlaplace.hyperopt.checkpoint;

import io.kronlaplace.nn.Network;
import io.kronlaplace.nn.models.WideResNet;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which Wide ResNet a saved model is: enough to rebuild the network before loading its weights.
 *
 * @param depth         d = 6n + 4
 * @param widen         widening factor k
 * @param classes       outputs
 * @param inputChannels image channels
 * @param variant       BatchNorm or Fixup
 */
public record ModelArchitecture(int depth, int widen, int classes, int inputChannels, WideResNet.Variant variant) {
    public ModelArchitecture {
        Objects.requireNonNull(variant, "variant");
    }

    /** Builds the network (float32) with a seeded initialisation. */
    public Network build(long seed) {
        return WideResNet.builder().depth(depth).widen(widen).classes(classes).inputChannels(inputChannels)
                .variant(variant).seed(seed).dataType(DataType.FLOAT).build();
    }

    /** "WRN-16-4 (FIXUP)". */
    public String describe() {
        return "WRN-" + depth + "-" + widen + " (" + variant + ")";
    }
}
