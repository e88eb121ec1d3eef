package io.kronlaplace.hyperopt.augment;

/**
 * The six generators of the 2D affine group (Benton et al., Augerino; Immer, van der Ouderaa et al. 2022), as 3 x 3
 * matrices acting on homogeneous normalised image coordinates {@code (x, y, 1)}, where x runs along the image width
 * (columns) and y along its height (rows), both in [-1, 1]. A transform is {@code T = expm(sum_k t_k G_k)}.
 *
 * <p>Matrices (rows top to bottom):
 * <pre>
 * X_SHIFT   [[0, 0, 1], [0, 0, 0], [0, 0, 0]]     expm(t G) moves the sampling point by t in x
 * Y_SHIFT   [[0, 0, 0], [0, 0, 1], [0, 0, 0]]     by t in y
 * ROTATION  [[0,-1, 0], [1, 0, 0], [0, 0, 0]]     expm(t G) = rotation by t radians
 * X_SCALE   [[1, 0, 0], [0, 0, 0], [0, 0, 0]]     x multiplied by e^t
 * Y_SCALE   [[0, 0, 0], [0, 1, 0], [0, 0, 0]]     y multiplied by e^t
 * SHEAR     [[0, 1, 0], [1, 0, 0], [0, 0, 0]]     symmetric shear: expm(t G) = [[cosh t, sinh t], [sinh t, cosh t]]
 * </pre>
 * The transform maps output coordinates to the input coordinates that are sampled, so X_SHIFT with t &gt; 0 moves
 * the image content towards smaller x.
 */
public enum AffineGenerator {
    /** Translation along x (width); t = 2/W is one pixel. */
    X_SHIFT(new double[] {0, 0, 1, 0, 0, 0, 0, 0, 0}),
    /** Translation along y (height); t = 2/H is one pixel. */
    Y_SHIFT(new double[] {0, 0, 0, 0, 0, 1, 0, 0, 0}),
    /** Rotation by t radians (in normalised coordinates, so a true rotation only for square images). */
    ROTATION(new double[] {0, -1, 0, 1, 0, 0, 0, 0, 0}),
    /** Scaling of x by e^t. */
    X_SCALE(new double[] {1, 0, 0, 0, 0, 0, 0, 0, 0}),
    /** Scaling of y by e^t. */
    Y_SCALE(new double[] {0, 0, 0, 0, 1, 0, 0, 0, 0}),
    /** Symmetric shear (squeeze along the diagonals). */
    SHEAR(new double[] {0, 1, 0, 1, 0, 0, 0, 0, 0});

    /** Number of generators, the length of the magnitude vector eta. */
    public static final int COUNT = 6;

    private final double[] matrix;

    AffineGenerator(double[] matrix) {
        this.matrix = matrix;
    }

    /**
     * The generator matrix.
     *
     * @return a copy of the generator as a row-major 3 x 3 matrix (nine values)
     */
    public double[] matrix() {
        return matrix.clone();
    }

    /**
     * One entry of the generator matrix.
     *
     * @param row    row index, 0 to 2
     * @param column column index, 0 to 2
     * @return the entry at (row, column): 0, 1 or -1
     * @throws ArrayIndexOutOfBoundsException when the position is outside the nine entries
     */
    public double entry(int row, int column) {
        return matrix[row * 3 + column];
    }
}
