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
        /** One value shared by every covered weight. */
        SCALAR,
        /** One value per parameter group, in the posterior's group order. */
        PER_GROUP,
        /** One value per covered parameter, in the posterior's flat order. */
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

    /**
     * One precision delta for every covered weight.
     *
     * @param delta the precision, finite and > 0
     * @return a {@link Kind#SCALAR} prior precision
     * @throws IllegalArgumentException when delta is not finite and positive
     */
    public static PriorPrecision scalar(double delta) {
        return new PriorPrecision(Kind.SCALAR, new double[] {delta});
    }

    /**
     * One precision per parameter group, in the posterior's group order ({@code LaplacePosterior#groupNames()}).
     *
     * @param deltas the precision of each group, each finite and > 0
     * @return a {@link Kind#PER_GROUP} prior precision
     * @throws IllegalArgumentException when there is no value or a value is not finite and positive
     */
    public static PriorPrecision perGroup(double... deltas) {
        return new PriorPrecision(Kind.PER_GROUP, deltas);
    }

    /**
     * One precision per covered parameter, in the posterior's flat order (DIAG and FULL structures only).
     *
     * @param deltas the precision of each parameter, each finite and > 0
     * @return a {@link Kind#PER_PARAMETER} prior precision
     * @throws IllegalArgumentException when there is no value or a value is not finite and positive
     */
    public static PriorPrecision perParameter(double... deltas) {
        return new PriorPrecision(Kind.PER_PARAMETER, deltas);
    }

    /**
     * The same kind with the given values (e.g. after an optimiser step on their logarithms).
     *
     * @param kind   how many values there are
     * @param values the precisions, each finite and > 0 (copied)
     * @return the prior precision
     * @throws IllegalArgumentException when there is no value or a value is not finite and positive
     */
    public static PriorPrecision of(Kind kind, double[] values) {
        return new PriorPrecision(kind, values);
    }

    /**
     * Scalar, per group or per parameter.
     *
     * @return the kind of this prior
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Number of values (1, the number of groups, or the number of parameters).
     *
     * @return the number of precision values
     */
    public int size() {
        return values.length;
    }

    /**
     * The value at an index (0 for a scalar prior).
     *
     * @param index position in {@link #values()}, from 0 to {@code size() - 1}
     * @return the precision at that position
     */
    public double value(int index) {
        return values[index];
    }

    /**
     * A copy of the values.
     *
     * @return the precisions, a new array on every call
     */
    public double[] values() {
        return values.clone();
    }

    /**
     * The natural logarithms of the values (the coordinates hyperparameters are optimised in).
     *
     * @return log delta for every value, a new array
     */
    public double[] logValues() {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.log(values[i]);
        }
        return out;
    }

    /**
     * A prior of the same kind from log-precisions; rejects non-finite logarithms.
     *
     * @param logValues the natural logarithms of the new precisions, one per value of this prior
     * @return a prior of this kind with precisions exp(logValues)
     * @throws IllegalArgumentException when the number of values differs or a logarithm is not finite
     */
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
     * @param groups     the posterior's number of parameter groups
     * @param parameters the posterior's number of covered parameters
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

    /**
     * The precision of group g (SCALAR and PER_GROUP only).
     *
     * @param group index of the parameter group, in the posterior's group order
     * @return the precision of that group's weights
     * @throws IllegalStateException for a {@link Kind#PER_PARAMETER} prior
     */
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
