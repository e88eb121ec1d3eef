package io.kronlaplace.validation.report;

import io.kronlaplace.validation.data.ShiftKind;
import io.kronlaplace.validation.data.ShiftedDataset;

/**
 * The identity of an evaluation set in a report.
 *
 * @param name  display name, unique within a report
 * @param kind  how it departs from the training distribution
 * @param level shift strength (degrees of rotation, noise std; 0 for clean and out-of-distribution sets)
 */
public record EvaluationSet(String name, ShiftKind kind, double level) {

    /** Validates the name and level. */
    public EvaluationSet {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("evaluation set name must not be blank");
        }
        if (!Double.isFinite(level)) {
            throw new IllegalArgumentException("shift level of " + name + " must be finite, got " + level);
        }
    }

    /** The clean test set of the given name. */
    public static EvaluationSet clean(String name) {
        return new EvaluationSet(name, ShiftKind.NONE, 0.0);
    }

    /** The identity of a shifted data set. */
    public static EvaluationSet of(ShiftedDataset shifted) {
        return new EvaluationSet(shifted.name(), shifted.kind(), shifted.level());
    }
}
