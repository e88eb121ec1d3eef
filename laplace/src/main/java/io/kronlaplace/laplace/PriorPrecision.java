package io.kronlaplace.laplace;

import java.util.Arrays;

/**
 * The precision of the isotropic-per-entry Gaussian prior N(0, P0^-1) on the covered weights, P0 = diag(delta), with
 * delta shared by all weights ({@link Kind#SCALAR}), one per parameter group (a layer's weight and its bias are
 * separate groups, {@link Kind#PER_GROUP}) or one per parameter ({@link Kind#PER_PARAMETER}). Immutable; every value
 * is finite and positive.
 */
public final class PriorPrecision implements java.io.Serializable {
    @java.io.Serial
    private static final long serialVersionUID = 1L;
    /** How many precision values there are. */
    public enum Kind {
        SCALAR,
        PER_GROUP,
        PER_PARAMETER
    }

    private final Kind kind;
    private final double[] values;

    private PriorPrecision(Kind kind, double[] values) {
        this.kind = kind;
        this.values = values.clone();
        if (this.values.length == 0) {
            throw new IllegalArgumentException("a " + kind + " prior precision needs at least one value");
        }
        for (int i = 0; i < this.values.length; i++) {
            double v = this.values[i];
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("prior precision must be finite and > 0, got " + v
                        + (this.values.length > 1 ? " at index " + i : ""));
            }
        }
    }

    /** One precision delta for every covered weight. */
    public static PriorPrecision scalar(double delta) {
        return new PriorPrecision(Kind.SCALAR, new double[] {delta});
    }

    /** One precision per parameter group, in the posterior's group order ({@code LaplacePosterior#groupNames()}). */
    public static PriorPrecision perGroup(double... deltas) {
        return new PriorPrecision(Kind.PER_GROUP, deltas);
    }

    /** One precision per covered parameter, in the posterior's flat order (DIAG and FULL structures only). */
    public static PriorPrecision perParameter(double... deltas) {
        return new PriorPrecision(Kind.PER_PARAMETER, deltas);
    }

    /** The same kind with the given values (e.g. after an optimiser step on their logarithms). */
    public static PriorPrecision of(Kind kind, double[] values) {
        return new PriorPrecision(kind, values);
    }

    /** Scalar, per group or per parameter. */
    public Kind kind() {
        return kind;
    }

    /** Number of values (1, the number of groups, or the number of parameters). */
    public int size() {
        return values.length;
    }

    /** The value at an index (0 for a scalar prior). */
    public double value(int index) {
        return values[index];
    }

    /** A copy of the values. */
    public double[] values() {
        return values.clone();
    }

    /** The natural logarithms of the values (the coordinates hyperparameters are optimised in). */
    public double[] logValues() {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.log(values[i]);
        }
        return out;
    }

    /** A prior of the same kind from log-precisions; rejects non-finite logarithms. */
    public PriorPrecision withLogValues(double[] logValues) {
        if (logValues.length != values.length) {
            throw new IllegalArgumentException("expected " + values.length + " log prior precisions, got "
                    + logValues.length);
        }
        double[] v = new double[logValues.length];
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(logValues[i])) {
                throw new IllegalArgumentException("log prior precision at index " + i + " is " + logValues[i]);
            }
            v[i] = Math.exp(logValues[i]);
        }
        return new PriorPrecision(kind, v);
    }

    /**
     * Checks that this prior fits a posterior with {@code groups} groups and {@code parameters} parameters.
     *
     * @throws IllegalArgumentException naming the expected and actual counts
     */
    public void requireCompatible(int groups, long parameters) {
        long expected = switch (kind) {
            case SCALAR -> 1;
            case PER_GROUP -> groups;
            case PER_PARAMETER -> parameters;
        };
        if (values.length != expected) {
            throw new IllegalArgumentException("a " + kind + " prior precision for this posterior needs " + expected
                    + " values (" + groups + " groups, " + parameters + " parameters), got " + values.length);
        }
    }

    /** The precision of group g (SCALAR and PER_GROUP only). */
    public double groupValue(int group) {
        return switch (kind) {
            case SCALAR -> values[0];
            case PER_GROUP -> values[group];
            case PER_PARAMETER -> throw new IllegalStateException("a per-parameter prior has no single value per group");
        };
    }

    @Override
    public String toString() {
        return kind + (values.length <= 8 ? Arrays.toString(values) : "[" + values.length + " values]");
    }
}
