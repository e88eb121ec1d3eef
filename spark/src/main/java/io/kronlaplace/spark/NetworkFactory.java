package io.kronlaplace.spark;

import io.kronlaplace.nn.Network;
import java.io.Serializable;

/**
 * Builds a network of the architecture being fitted, on each executor (any weights: the driver's weights are
 * broadcast in the weights file format and loaded over them). A lambda assigned to this type is serialisable when
 * everything it captures is; capture plain values such as the architecture's sizes, not ND4J arrays.
 */
@FunctionalInterface
public interface NetworkFactory extends Serializable {
    /**
     * A fresh network of the architecture.
     *
     * @return a new network, with initial weights that the broadcast weights replace
     */
    Network build();
}
