package io.kronlaplace.nn.models;

import io.kronlaplace.nn.Init;
import io.kronlaplace.nn.Linear;
import io.kronlaplace.nn.ReLU;
import io.kronlaplace.nn.Sequential;

/** The fully connected part shared by {@link Mlp} and {@link ConvNet}: Linear-ReLU per hidden width, then a Linear. */
final class DenseLayers {
    private DenseLayers() {
    }

    /**
     * Appends {@code Linear(in, h1), ReLU, ..., Linear(hL, classes)} with positional names continuing the target's.
     * Hidden layers start He-normal (they feed a ReLU), the output layer Glorot-normal; biases start at zero.
     */
    static void append(Sequential target, long in, int[] hidden, int classes, Init init) {
        long width = in;
        for (int h : hidden) {
            target.add(new Linear(width, h, true, init.with(Init.Scheme.KAIMING_NORMAL)));
            target.add(new ReLU());
            width = h;
        }
        target.add(new Linear(width, classes, true, init.with(Init.Scheme.XAVIER_NORMAL)));
    }

    /** Checks that every width is positive; {@code what} names them in the message. */
    static int[] positive(int[] widths, String what) {
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException(what + " must be positive, got "
                        + java.util.Arrays.toString(widths));
            }
        }
        return widths.clone();
    }
}
