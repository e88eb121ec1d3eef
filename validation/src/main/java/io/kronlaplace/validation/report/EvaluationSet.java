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

    /**
     * Validates the name and level.
     *
     * @param name  display name, not blank, unique within a report
     * @param kind  how it departs from the training distribution
     * @param level shift strength (degrees of rotation, noise std; 0 for clean and out-of-distribution sets), finite
     * @throws IllegalArgumentException when the name is blank or the level is not finite
     */
    public EvaluationSet {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("evaluation set name must not be blank");
        }
        if (!Double.isFinite(level)) {
            throw new IllegalArgumentException("shift level of " + name + " must be finite, got " + level);
        }
    }

    /**
     * The clean test set of the given name.
     *
     * @param name display name of the test set
     * @return a {@link ShiftKind#NONE} set of level 0
     */
    public static EvaluationSet clean(String name) {
        return new EvaluationSet(name, ShiftKind.NONE, 0.0);
    }

    /**
     * The identity of a shifted data set.
     *
     * @param shifted the shifted data set
     * @return the set with the data set's name, kind and level
     */
    public static EvaluationSet of(ShiftedDataset shifted) {
        return new EvaluationSet(shifted.name(), shifted.kind(), shifted.level());
    }
}
