package io.kronlaplace.validation.data;

/**
 * An evaluation set together with how it departs from the training distribution.
 *
 * @param kind    the kind of shift
 * @param level   its strength: degrees for {@link ShiftKind#ROTATION}, noise standard deviation (in pixel units of
 *                the images) for {@link ShiftKind#GAUSSIAN_NOISE}, 0 for {@link ShiftKind#NONE} and
 *                {@link ShiftKind#OUT_OF_DISTRIBUTION}
 * @param dataset the images (its name is the set's display name)
 */
public record ShiftedDataset(ShiftKind kind, double level, ImageDataset dataset) {

    /**
     * Validates that the level is finite.
     *
     * @param kind    the kind of shift
     * @param level   the shift's severity in the kind's units, finite
     * @param dataset the images (its name is the set's display name)
     * @throws IllegalArgumentException when the level is not finite
     */
    public ShiftedDataset {
        if (!Double.isFinite(level)) {
            throw new IllegalArgumentException("shift level must be finite, got " + level);
        }
    }

    /**
     * The display name of the set.
     *
     * @return the name of the images' data set
     */
    public String name() {
        return dataset.name();
    }
}
