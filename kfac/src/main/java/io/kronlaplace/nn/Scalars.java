package io.kronlaplace.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Checks shared by the scalar Fixup layers. */
final class Scalars {
    private Scalars() {
    }

    static void requireType(INDArray x, Parameter p, Module module) {
        if (x.dataType() != p.value().dataType()) {
            throw new IllegalArgumentException(module.getClass().getSimpleName() + " '" + module.path()
                    + "': input is " + x.dataType() + " but the parameter is " + p.value().dataType()
                    + " (cast the network or the data)");
        }
    }
}
